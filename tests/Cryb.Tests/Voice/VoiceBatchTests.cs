using Cryb.Errors;
using Cryb.Identity;
using Cryb.Tests.Infrastructure;
using Cryb.Voice;

namespace Cryb.Tests.Voice;

/// <summary>
/// The voice grain's calls interleave and are committed in batches: what depends on the server's
/// state (a channel's user limit, the user's own session) is still decided in the order the calls
/// arrived, against the state the calls before them left.
/// </summary>
[Collection(VoiceClusterCollection.Name)]
public sealed class VoiceBatchTests(VoiceClusterFixture fixture)
{
    private readonly VoiceTestKit _kit = new(fixture);

    [Fact]
    public async Task Concurrent_joins_past_a_channels_user_limit_admit_exactly_the_limit()
    {
        const int limit = 3;
        var owner = _kit.Guilds.User("owner");
        var users = Enumerable.Range(0, 12).Select(n => _kit.Guilds.User($"u{n}")).ToArray();
        var (guild, _) = await _kit.Guilds.GuildWithAsync(owner, users);
        var channel = await _kit.VoiceChannelAsync(guild, owner, userLimit: limit);
        var voice = _kit.Voice(guild);
        var connections = await Task.WhenAll(users.Select(user => _kit.ConnectAsync(user)));

        // All at once: they queue while the first batch commits, and share the next ones.
        var joins = users.Select((user, n) => voice.Join(user, connections[n], channel.Id, false, false)).ToArray();
        var outcomes = await Task.WhenAll(joins.Select(async join =>
        {
            try
            {
                return (await join).UserId();
            }
            catch (ChatException refusal)
            {
                Assert.Equal(ErrorCodes.VoiceChannelFull, refusal.Code);
                return null;
            }
        }));

        var admitted = outcomes.OfType<string>().ToArray();
        Assert.Equal(limit, admitted.Length);
        var states = await voice.StatesAsync();
        Assert.Equal(admitted.Order(StringComparer.Ordinal), states.Select(state => state.UserId));
        Assert.All(states, state => Assert.Equal(channel.Id, state.ChannelId));
        Assert.Equal(limit, await _kit.Guilds.CountRowsAsync("voice_states", guild.GetPrimaryKeyString()));
        // Only those admitted hold a session in presence: a refused join binds nothing.
        foreach (var user in users)
        {
            Assert.Equal(admitted.Contains(user.Id), await _kit.Presence(user).GetVoice(user) is not null);
        }
    }

    [Fact]
    public async Task A_users_rapid_join_move_update_and_leave_take_effect_in_order_amid_others_calls()
    {
        var (owner, ann) = (_kit.Guilds.User("owner"), _kit.Guilds.User("ann"));
        var others = Enumerable.Range(0, 6).Select(n => _kit.Guilds.User($"o{n}")).ToArray();
        var (guild, _) = await _kit.Guilds.GuildWithAsync(owner, [ann, .. others]);
        var (first, second) = (await _kit.VoiceChannelAsync(guild, owner), await _kit.VoiceChannelAsync(guild, owner));
        var voice = _kit.Voice(guild);
        var connection = await _kit.ConnectAsync(ann);
        var otherConnections = await Task.WhenAll(others.Select(user => _kit.ConnectAsync(user)));
        await using var events = await _kit.Guilds.SubscribeAsync(guild);

        // The others join, move and leave over and over meanwhile, so ann's calls queue among
        // theirs and are decided in shared batches. Ann's own calls follow each other as her
        // connection's hub makes them: one at a time (Orleans keeps no order among calls in flight).
        using var stop = new CancellationTokenSource();
        var churn = others.Select(async (user, n) =>
        {
            var rounds = 0;
            while (!stop.IsCancellationRequested || rounds == 0)
            {
                await voice.Join(user, otherConnections[n], first.Id, false, false);
                await voice.Join(user, otherConnections[n], second.Id, false, false);
                await voice.Leave(user);
                rounds++;
            }

            return rounds;
        }).ToArray();
        var joined = await voice.Join(ann, connection, first.Id, selfMute: false, selfDeaf: false);
        var moved = await voice.Join(ann, connection, second.Id, selfMute: true, selfDeaf: false);
        var updated = await voice.UpdateSelf(ann, selfMute: true, selfDeaf: true, selfVideo: false, selfStream: false);
        await voice.Leave(ann);
        stop.Cancel();
        var othersEvents = (await Task.WhenAll(churn)).Sum() * 3;

        Assert.Equal(joined.SessionId, moved.SessionId);
        Assert.Equal((second.Id, true, true), (updated.ChannelId, updated.SelfMute, updated.SelfDeaf));

        // Members see every change, the server's versions only growing, ann's in the order she made them.
        var seen = new List<VoiceStateUpdated>();
        while (seen.Count(e => e.State.UserId == ann.Id) < 4 || seen.Count(e => e.State.UserId != ann.Id) < othersEvents)
        {
            seen.Add(await events.NextAsync<VoiceStateUpdated>($"the voice states after {seen.Count} seen"));
        }

        Assert.Equal(seen.Select(e => e.Version).Order(), seen.Select(e => e.Version));
        Assert.Equal(seen.Count, seen.Select(e => e.Version).Distinct().Count());
        var anns = seen.Where(e => e.State.UserId == ann.Id).ToArray();
        Assert.Equal<(string?, string?)>(
            [(first.Id, null), (second.Id, first.Id), (second.Id, second.Id), (null, second.Id)],
            anns.Select(e => (e.State.ChannelId, e.FromChannelId)));
        Assert.Equal([joined.State, moved.State, updated], anns.Take(3).Select(e => e.State));
        foreach (var user in others)
        {
            // Each of the others' rounds in their order: first, second, gone.
            var theirs = seen.Where(e => e.State.UserId == user.Id).Select(e => e.State.ChannelId).Chunk(3);
            Assert.All(theirs, round => Assert.Equal([first.Id, second.Id, null], round));
        }

        Assert.Empty(await voice.StatesAsync());
        Assert.Equal(0, await _kit.Guilds.CountRowsAsync("voice_states", guild.GetPrimaryKeyString()));
        // The presence grain is told after the answer, not awaited by it.
        await Eventually.WaitUntilAsync(async () => await _kit.Presence(ann).GetVoice(ann) is null, "the presence grain dropping the voice binding");
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.NotInVoice, () => voice.Leave(ann));
    }

    [Fact]
    public async Task Two_devices_joining_at_once_leave_one_session_the_one_presence_holds_and_the_other_device_is_told()
    {
        var (owner, ann) = (_kit.Guilds.User("owner"), _kit.Guilds.User("ann"));
        var (guild, _) = await _kit.Guilds.GuildWithAsync(owner, ann);
        var (first, second) = (await _kit.VoiceChannelAsync(guild, owner), await _kit.VoiceChannelAsync(guild, owner));
        var voice = _kit.Voice(guild);
        var (desktop, phone) = (await _kit.ConnectAsync(ann, "desktop"), await _kit.ConnectAsync(ann, "phone"));
        await using var annEvents = await _kit.UserStreamAsync(ann);

        var joins = await Task.WhenAll(voice.Join(ann, desktop, first.Id, false, false), voice.Join(ann, phone, second.Id, false, false));

        // Whichever came second holds the session: the state, the row and presence agree on it.
        var state = Assert.Single(await voice.StatesAsync());
        var (winner, loser) = joins[0].SessionId == state.SessionId ? (joins[0], joins[1]) : (joins[1], joins[0]);
        Assert.Equal(winner.State, state);
        Assert.True(winner.State.Version > loser.State.Version);
        Assert.Equal(1, await _kit.Guilds.CountRowsAsync("voice_states", guild.GetPrimaryKeyString()));
        var binding = await _kit.Presence(ann).GetVoice(ann);
        Assert.Equal((state.SessionId, state.ChannelId), (binding?.SessionId, binding?.ChannelId));
        Assert.Equal(state.ChannelId == first.Id ? desktop : phone, binding?.ConnectionId);
        var ended = await annEvents.NextAsync<VoiceSessionEnded>("the first device's session ending");
        Assert.Equal((loser.SessionId, VoiceEndReasons.Moved), (ended.SessionId, ended.Reason));
    }
}

file static class VoiceJoinExtensions
{
    public static string UserId(this VoiceJoin join) => join.State.UserId;
}
