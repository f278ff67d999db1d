using Cryb.Grains.Presence;
using Cryb.Grains.Voice;
using Cryb.Tests.Infrastructure;
using Cryb.Voice;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Core.Internal;

namespace Cryb.Tests.Voice;

/// <summary>
/// A voice state never outlives its session's connection: the presence grain ends it when the
/// connection closes and does not come back within the grace period, at once when its gateway's
/// lease runs out, and a voice grain activating on rows a lost activation left ends those whose
/// sessions no presence grain holds any more. The clock is the test's: each end happens at its time.
/// </summary>
[Collection(VoiceClusterCollection.Name)]
public sealed class VoiceSessionEndTests(VoiceClusterFixture fixture)
{
    private static readonly TimeSpan Moment = TimeSpan.FromMilliseconds(1);

    private readonly VoiceTestKit _kit = new(fixture);

    private PresenceOptions Options => fixture.SiloServices.GetRequiredService<IOptions<PresenceOptions>>().Value;

    [Fact]
    public async Task A_closed_connection_ends_its_session_when_the_grace_period_ends_and_the_user_hears_why()
    {
        var (owner, ann) = (_kit.Guilds.User("owner"), _kit.Guilds.User("ann"));
        var (guild, _) = await _kit.Guilds.GuildWithAsync(owner, ann);
        var channel = await _kit.VoiceChannelAsync(guild, owner);
        var connection = await _kit.ConnectAsync(ann);
        var joined = await _kit.Voice(guild).Join(ann, connection, channel.Id, false, false);
        await using var events = await _kit.Guilds.SubscribeAsync(guild);
        await using var annEvents = await _kit.UserStreamAsync(ann);

        await _kit.Presence(ann).Disconnect(ann, connection);
        fixture.Clock.Advance(Options.OfflineGrace - Moment);
        Assert.Equal([joined.State], await _kit.Voice(guild).StatesAsync());

        fixture.Clock.Advance(Moment);
        var left = await events.NextAsync<VoiceStateUpdated>("ann's state ending after the grace period");
        Assert.Equal((null, channel.Id, joined.SessionId), (left.State.ChannelId, left.FromChannelId, left.State.SessionId));
        var ended = await annEvents.NextAsync<VoiceSessionEnded>("ann hearing her session ended");
        Assert.Equal((joined.SessionId, VoiceEndReasons.Disconnected), (ended.SessionId, ended.Reason));
        Assert.Empty(await _kit.Voice(guild).StatesAsync());
        // The presence grain is told after the answer, not awaited by it.
        await Eventually.WaitUntilAsync(async () => await _kit.Presence(ann).GetVoice(ann) is null, "the presence grain dropping the voice binding");
    }

    [Fact]
    public async Task A_connection_registered_again_within_the_grace_period_keeps_its_session()
    {
        var (owner, ann) = (_kit.Guilds.User("owner"), _kit.Guilds.User("ann"));
        var (guild, _) = await _kit.Guilds.GuildWithAsync(owner, ann);
        var channel = await _kit.VoiceChannelAsync(guild, owner);
        var connection = await _kit.ConnectAsync(ann);
        var joined = await _kit.Voice(guild).Join(ann, connection, channel.Id, false, false);

        // What a gateway does for its connections when the presence grain's silo was lost.
        await _kit.Presence(ann).Disconnect(ann, connection);
        fixture.Clock.Advance(Options.OfflineGrace - Moment);
        await _kit.Presence(ann).Connect(ann, new Cryb.Presence.PresenceConnection(connection, _kit.GatewayId, Cryb.Presence.DeviceKind.Desktop));
        fixture.Clock.Advance(Options.OfflineGrace * 2);

        Assert.Equal([joined.State], await _kit.Voice(guild).StatesAsync());
        Assert.Equal(joined.SessionId, (await _kit.Presence(ann).GetVoice(ann))?.SessionId);
    }

    [Fact]
    public async Task A_gateway_whose_lease_ran_out_takes_its_connections_sessions_with_it()
    {
        var (owner, ann) = (_kit.Guilds.User("owner"), _kit.Guilds.User("ann"));
        var (guild, _) = await _kit.Guilds.GuildWithAsync(owner, ann);
        var channel = await _kit.VoiceChannelAsync(guild, owner);
        await _kit.Voice(guild).Join(ann, await _kit.ConnectAsync(ann), channel.Id, false, false);

        // The test's gateway never heartbeats. Its lease grain judges it every third of the lease
        // (a timer armed again after each check), so the clock moves one check at a time. The
        // server's stream cannot tell: minutes on the clock end the test client's subscription
        // lease too, so the row, which the grain deletes before it publishes, is watched instead.
        var check = Options.GatewayLease / 3;
        var advanced = TimeSpan.Zero;
        var ended = false;
        while (!ended && advanced <= Options.GatewayLease * 2)
        {
            fixture.Clock.Advance(check);
            advanced += check;
            try
            {
                await Eventually.WaitUntilAsync(async () => await VoiceRowsAsync(guild) == 0, "ann's row going with her gateway", TimeSpan.FromSeconds(1));
                ended = true;
            }
            catch (TimeoutException) when (advanced <= Options.GatewayLease)
            {
                // Not lost yet: within the lease.
            }
        }

        Assert.True(advanced > Options.GatewayLease, $"ended {advanced} after the last heartbeat, within the lease of {Options.GatewayLease}");
        Assert.Empty(await _kit.Voice(guild).StatesAsync());
        // The presence grain is told after the answer, not awaited by it.
        await Eventually.WaitUntilAsync(async () => await _kit.Presence(ann).GetVoice(ann) is null, "the presence grain dropping the voice binding");
    }

    private Task<long> VoiceRowsAsync(Cryb.Guilds.IGuildGrain guild) => _kit.Guilds.CountRowsAsync("voice_states", guild.GetPrimaryKeyString());

    [Fact]
    public async Task A_voice_grain_activating_on_rows_ends_after_a_grace_period_those_whose_sessions_are_gone_and_keeps_the_live()
    {
        var (owner, ann) = (_kit.Guilds.User("owner"), _kit.Guilds.User("ann"));
        var (guild, _) = await _kit.Guilds.GuildWithAsync(owner, ann);
        var channel = await _kit.VoiceChannelAsync(guild, owner);
        var voice = _kit.Voice(guild);
        var joined = await voice.Join(ann, await _kit.ConnectAsync(ann), channel.Id, false, false);
        // The activation goes (as with its silo); meanwhile a row whose session no presence grain holds.
        await voice.AsReference<IGrainManagementExtension>().DeactivateOnIdle(TestContext.Current.CancellationToken);
        var ghost = new VoiceState(guild.GetPrimaryKeyString(), channel.Id, TestUsers.New("ghost"), "ghost-session", false, false, false, false, false, false, false, joined.State.Version + 1);
        await new PostgresVoiceStore(fixture.Servers.DataSource).UpsertAsync(new StoredVoiceState(ghost, "gone", fixture.Clock.GetUtcNow()));
        await using var events = await _kit.Guilds.SubscribeAsync(guild);

        Assert.Equal([joined.State.UserId, ghost.UserId], (await voice.StatesAsync()).Select(state => state.UserId).Order());
        fixture.Clock.Advance(Options.OfflineGrace);

        var ended = await events.NextAsync<VoiceStateUpdated>("the ghost's state ending");
        Assert.Equal((ghost.UserId, null), (ended.State.UserId, ended.State.ChannelId));
        Assert.Equal([joined.State], await voice.StatesAsync());
    }
}
