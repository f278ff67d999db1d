using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Cryb.Hosting.LiveKit;

/// <summary>
/// The three RoomService calls voice moderation makes on the LiveKit server (Twirp over JSON,
/// <c>POST /twirp/livekit.RoomService/{method}</c>), each with a token for that room's admin
/// that lives one minute. A failed call throws <see cref="LiveKitCallException"/>.
/// </summary>
public sealed class LiveKitRooms(HttpClient http, LiveKitTokens tokens, IOptions<LiveKitOptions> options)
{
    private static readonly TimeSpan AdminTokenLifetime = TimeSpan.FromMinutes(1);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Disconnects the participant; it may join again with a valid token (voice refuses to give one to whom it removed).</summary>
    public Task RemoveParticipantAsync(string room, string identity, CancellationToken cancellationToken = default) =>
        CallAsync("RemoveParticipant", room, new { room, identity }, cancellationToken);

    /// <summary>Mutes (or unmutes) one published track, by the sid LiveKit gave it.</summary>
    public Task MutePublishedTrackAsync(string room, string identity, string trackSid, bool muted, CancellationToken cancellationToken = default) =>
        CallAsync("MutePublishedTrack", room, new { room, identity, trackSid, muted }, cancellationToken);

    /// <summary>
    /// Replaces what the participant may do: a moderator's mute takes publishing away (LiveKit
    /// unpublishes what no longer fits), a moderator's deafen takes subscribing away.
    /// </summary>
    public Task UpdatePermissionAsync(string room, string identity, ParticipantPermission permission, CancellationToken cancellationToken = default) =>
        CallAsync("UpdateParticipant", room, new { room, identity, permission = permission.ToWire() }, cancellationToken);

    private async Task CallAsync(string method, string room, object request, CancellationToken cancellationToken)
    {
        var token = tokens.Sign(null, new VideoGrant { RoomAdmin = true, Room = room }, AdminTokenLifetime);
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(options.Value.ApiBase(), $"twirp/livekit.RoomService/{method}"))
        {
            Content = JsonContent.Create(request, options: Json),
        };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new LiveKitCallException(method, $"LiveKit did not answer {method}: {ex.Message}", ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                // Twirp errors are JSON with a code and a message: enough for the log.
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                throw new LiveKitCallException(method, $"LiveKit refused {method} ({(int)response.StatusCode}): {body}");
            }
        }
    }
}

/// <summary>What a participant may do in its room (LiveKit's <c>ParticipantPermission</c>).</summary>
public sealed record ParticipantPermission(bool CanSubscribe, bool CanPublish, bool CanPublishData, IReadOnlyList<string> CanPublishSources)
{
    /// <summary>Protobuf's JSON: track sources as enum names (<c>MICROPHONE</c>), not the token's lower-case ones.</summary>
    internal object ToWire() => new
    {
        canSubscribe = CanSubscribe,
        canPublish = CanPublish,
        canPublishData = CanPublishData,
        canPublishSources = CanPublishSources.Select(source => source.ToUpperInvariant()).ToArray(),
    };
}

/// <summary>A RoomService call that failed: LiveKit unreachable or refusing.</summary>
public sealed class LiveKitCallException(string method, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Method => method;
}
