using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cryb.Guilds;
using Cryb.Hosting.LiveKit;
using Cryb.Tests.Infrastructure;
using Cryb.Voice;
using Microsoft.Extensions.Options;

namespace Cryb.Tests.Integration;

/// <summary>Steps the voice tests over SignalR share.</summary>
internal static class VoiceSteps
{
    /// <summary>A server of <paramref name="owner"/>'s that each of <paramref name="members"/> joined (see <see cref="GuildSteps.CreateServerAsync"/>): its id.</summary>
    public static async Task<string> CreateServerAsync(ChatTestClient owner, params ChatTestClient[] members) =>
        (await GuildSteps.CreateServerAsync(owner, "voice", members)).GuildId;

    /// <summary>A voice channel of the owner's server; each of <paramref name="members"/> read its <c>GuildChannelCreated</c>.</summary>
    public static async Task<GuildChannel> CreateVoiceChannelAsync(ChatTestClient owner, string guildId, string name, params ChatTestClient[] members)
    {
        var channel = await owner.InvokeAsync<GuildChannel>("CreateGuildChannel", guildId, new GuildChannelSpec(name, GuildChannelType.Voice));
        foreach (var member in members.Append(owner))
        {
            Assert.Equal(channel.Id, (await member.NextAsync<GuildChannelCreated>("GuildChannelCreated")).Channel.Id);
        }

        return channel;
    }

    /// <summary>The next <c>VoiceStateUpdated</c> the client gets, which must be about <paramref name="userId"/>.</summary>
    public static async Task<VoiceState> NextStateOfAsync(ChatTestClient client, string userId)
    {
        var state = await client.NextAsync<VoiceState>("VoiceStateUpdated");
        Assert.Equal(userId, state.UserId);
        return state;
    }

    /// <summary>The <c>video</c> grant of a LiveKit token (its payload, unverified: the token tests verify with LiveKit's SDK).</summary>
    public static JsonElement VideoGrantOf(string token)
    {
        var payload = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        using var document = JsonDocument.Parse(Convert.FromBase64String(payload));
        return document.RootElement.GetProperty("video").Clone();
    }

    /// <summary>A LiveKit webhook body: the event, its id and time, the room, and optionally a participant.</summary>
    public static string Webhook(string name, string eventId, string guildId, string channelId, DateTimeOffset createdAt, object? participant = null) =>
        JsonSerializer.Serialize(new
        {
            @event = name,
            id = eventId,
            createdAt = createdAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            room = new { name = VoiceLimits.RoomOf(guildId, channelId) },
            participant,
        });

    /// <summary>Posts a webhook as LiveKit does to a gateway: the body, with a token signed by the cluster's key pair whose sha256 claim is the body's hash.</summary>
    public static async Task<HttpResponseMessage> PostWebhookAsync(ProcessCluster cluster, string body, bool sign = true)
    {
        using var http = new HttpClient();
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{cluster.Gateways[1].Url}/voice/livekit") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/webhook+json");
        if (sign)
        {
            var tokens = new LiveKitTokens(Options.Create(new LiveKitOptions { Url = "ws://127.0.0.1:7880", ApiKey = VoiceClusterFixture.ApiKey, ApiSecret = VoiceClusterFixture.ApiSecret }), TimeProvider.System);
            request.Headers.TryAddWithoutValidation("Authorization", tokens.Sign(null, new VideoGrant(), TimeSpan.FromMinutes(5), bodySha256: Convert.ToBase64String(SHA256.HashData(bytes))));
        }

        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
