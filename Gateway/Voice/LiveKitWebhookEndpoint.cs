using System.Text.Json;
using Cryb.Hosting.LiveKit;
using Cryb.Identity;
using Cryb.Voice;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Cryb.Gateway.Voice;

/// <summary>
/// <c>POST /voice/livekit</c>: LiveKit's webhooks. The <c>Authorization</c> token and the body's
/// SHA-256 are checked (<see cref="LiveKitWebhooks"/>); a refused one gets 401. <c>participant_left</c>
/// and <c>room_finished</c> go to the room's server's voice grain, which ends what they name (by
/// session id, so a late event never ends a newer session) and ignores an event id it has seen;
/// everything else is acknowledged and dropped. 200 for anything verified: LiveKit retries otherwise.
/// </summary>
public static partial class LiveKitWebhookEndpoint
{
    public const string Path = "/voice/livekit";

    public static WebApplicationBuilder AddCrybVoiceWebhooks(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LiveKitOptions>().BindConfiguration(LiveKitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<LiveKitTokens>();
        builder.Services.AddSingleton<LiveKitWebhooks>();
        return builder;
    }

    public static WebApplication MapLiveKitWebhooks(this WebApplication app)
    {
        app.MapPost(Path, ReceiveAsync).AllowAnonymous();
        return app;
    }

    private static async Task<Results<Ok, NotFound, ProblemHttpResult>> ReceiveAsync(
        HttpRequest request, IOptions<LiveKitOptions> options, LiveKitWebhooks webhooks, IClusterClient cluster, ServiceCredential account, ILoggerFactory logs)
    {
        if (!options.Value.Enabled)
        {
            return TypedResults.NotFound(); // voice is off: nothing here speaks to LiveKit
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        var check = await webhooks.VerifyAsync(body.ToArray(), request.Headers.Authorization);
        if (check.Webhook is not { } webhook)
        {
            LogRefused(logs.CreateLogger(typeof(LiveKitWebhookEndpoint)), check.Refusal!);
            return TypedResults.Problem(title: "unauthenticated", detail: "The webhook is not signed with this cluster's LiveKit key pair.", statusCode: StatusCodes.Status401Unauthorized);
        }

        if (webhook.Room?.Name is not { } room || !TryParseRoom(room, out var guildId, out var channelId))
        {
            return TypedResults.Ok(); // a room voice did not name: not ours to act on
        }

        var voice = cluster.GetGrain<IVoiceGrain>(guildId);
        switch (webhook.Event)
        {
            case "participant_left" when webhook.Participant is { } participant && Ids.IsValid(participant.Identity)
                && SessionOf(participant.Metadata) is { } sessionId:
                await voice.MediaLeft(account, webhook.Id, participant.Identity, sessionId);
                break;
            case "room_finished":
                await voice.MediaRoomFinished(account, webhook.Id, channelId, DateTimeOffset.FromUnixTimeSeconds(webhook.CreatedAt));
                break;
        }

        return TypedResults.Ok();
    }

    /// <summary>The ids in a room name <see cref="VoiceLimits.RoomOf"/> made: <c>g{guildId}:c{channelId}</c>.</summary>
    private static bool TryParseRoom(string room, out string guildId, out string channelId)
    {
        var parts = room.Split(':');
        (guildId, channelId) = parts is [['g', .. var guild], ['c', .. var channel]] ? (guild, channel) : ("", "");
        return Ids.IsValid(guildId) && Ids.IsValid(channelId);
    }

    /// <summary>The session id our token put in the participant's metadata; null for anything else.</summary>
    private static string? SessionOf(string? metadata)
    {
        if (string.IsNullOrEmpty(metadata))
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(metadata);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("sessionId", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "LiveKit webhook refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
