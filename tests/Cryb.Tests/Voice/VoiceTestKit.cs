using System.Text.Json;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Presence;
using Cryb.Tests.Grains;
using Cryb.Tests.Infrastructure;
using Cryb.Users;
using Cryb.Voice;
using Microsoft.IdentityModel.Tokens;
using Orleans.Streams;

namespace Cryb.Tests.Voice;

/// <summary>
/// What the voice grain tests share: servers with voice channels, users' connections registered with
/// presence (as a gateway registers them) for a gateway of the test's own, the user's stream, and
/// tokens read as LiveKit reads them.
/// </summary>
internal sealed class VoiceTestKit(VoiceClusterFixture fixture)
{
    public GuildTestKit Guilds { get; } = new(fixture.Client, fixture.Servers.DataSource);

    /// <summary>A gateway of this test's own; it never heartbeats, so its lease ends only when a test moves the clock past it.</summary>
    public string GatewayId { get; } = TestUsers.New("gateway");

    public IVoiceGrain Voice(IGuildGrain guild) => fixture.Client.GetGrain<IVoiceGrain>(guild.GetPrimaryKeyString());

    public IPresenceGrain Presence(Caller user) => fixture.Client.GetGrain<IPresenceGrain>(user.Id);

    /// <summary>A voice channel in the server, with a user limit (0: none) and overwrites.</summary>
    public Task<GuildChannel> VoiceChannelAsync(IGuildGrain guild, Caller owner, int userLimit = 0, params PermissionOverwrite[] overwrites) =>
        guild.CreateChannel(owner, Ids.NewChannelId(), new GuildChannelSpec("Lounge", GuildChannelType.Voice, UserLimit: userLimit, Overwrites: overwrites));

    /// <summary>Registers a connection of the user with presence, as the gateway does on connect; returns its id.</summary>
    public async Task<string> ConnectAsync(Caller user, string device = "desktop")
    {
        var connectionId = $"{device}-{Guid.NewGuid():N}";
        await Presence(user).Connect(user, new PresenceConnection(connectionId, GatewayId, DeviceKind.Desktop));
        return connectionId;
    }

    /// <summary>The everyone overwrite that denies <paramref name="deny"/> in a channel of <paramref name="guild"/>.</summary>
    public static PermissionOverwrite EveryoneDenies(IGuildGrain guild, ulong deny) => new(guild.GetPrimaryKeyString(), OverwriteKind.Role, 0, deny);

    /// <summary>Subscribes to the user's stream before returning; events are read in order with a timeout.</summary>
    public async Task<UserEvents> UserStreamAsync(Caller user)
    {
        var events = System.Threading.Channels.Channel.CreateUnbounded<UserEvent>();
        var stream = fixture.Client.GetStreamProvider(StreamNames.Provider).GetStream<UserEvent>(StreamId.Create(StreamNames.User, user.Id));
        var subscription = await stream.SubscribeAsync((item, _) => events.Writer.WriteAsync(item).AsTask());
        return new UserEvents(events.Reader, subscription);
    }

    /// <summary>The token's claims as LiveKit reads them, after checking it is ours, signed with the cluster's key pair and valid now.</summary>
    public async Task<JsonElement> ClaimsAsync(string token)
    {
        Assert.NotNull(await fixture.Tokens.VerifyAsync(token));
        return JsonDocument.Parse(Base64UrlEncoder.Decode(token.Split('.')[1])).RootElement;
    }
}

/// <summary>The events of one user's stream as the test client hears them.</summary>
internal sealed class UserEvents(System.Threading.Channels.ChannelReader<UserEvent> events, StreamSubscriptionHandle<UserEvent> subscription) : IAsyncDisposable
{
    /// <summary>The next event of type <typeparamref name="T"/> (others skipped), or a timeout naming <paramref name="what"/>.</summary>
    public async Task<T> NextAsync<T>(string what) where T : UserEvent
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                if (await events.ReadAsync(timeout.Token) is T wanted)
                {
                    return wanted;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"Waited 10 s for {what}.");
        }
    }

    public async ValueTask DisposeAsync() => await subscription.UnsubscribeAsync();
}

public static class VoiceGrainReads
{
    /// <summary>The server's voice states as a gateway reads them.</summary>
    public static async Task<IReadOnlyList<VoiceState>> StatesAsync(this IVoiceGrain voice) =>
        (await voice.GetSnapshot(TestAccounts.Gateway)).States;
}
