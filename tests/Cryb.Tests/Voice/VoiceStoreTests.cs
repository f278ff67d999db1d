using Cryb.Grains.Voice;
using Cryb.Identity;
using Cryb.Tests.Infrastructure;
using Cryb.Voice;

namespace Cryb.Tests.Voice;

/// <summary>
/// The voice_states rows on the run's PostgreSQL, without a cluster: one row per user whatever the
/// server (a move to another server's channel replaces it), and a delete that names an older
/// session leaves the newer one.
/// </summary>
public sealed class VoiceStoreTests(TestServers servers)
{
    private readonly PostgresVoiceStore _store = new(servers.DataSource);

    [Fact]
    public async Task A_state_is_stored_whole_and_listed_under_its_server()
    {
        var (guild, user) = (Ids.NewChannelId(), TestUsers.New("ann"));
        var state = new VoiceState(guild, "lounge", user, "s1", SelfMute: true, SelfDeaf: false, SelfVideo: true, SelfStream: false, Mute: false, Deaf: true, Suppress: true, Version: 42);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        await _store.UpsertAsync(new StoredVoiceState(state, "conn-1", at));

        Assert.Equal([new StoredVoiceState(state, "conn-1", at)], await _store.ListAsync(guild));
        Assert.Empty(await _store.ListAsync(Ids.NewChannelId()));
    }

    [Fact]
    public async Task A_user_has_one_row_so_joining_another_servers_channel_replaces_the_first()
    {
        var (first, second, user) = (Ids.NewChannelId(), Ids.NewChannelId(), TestUsers.New("ann"));
        await _store.UpsertAsync(Row(first, user, "s1"));

        await _store.UpsertAsync(Row(second, user, "s2"));

        Assert.Empty(await _store.ListAsync(first));
        Assert.Equal("s2", Assert.Single(await _store.ListAsync(second)).State.SessionId);
        // The first server's grain ending its old session deletes nothing of the second's.
        Assert.False(await _store.DeleteAsync(first, user, "s1"));
        Assert.Single(await _store.ListAsync(second));
    }

    [Fact]
    public async Task A_delete_takes_the_row_only_while_it_is_still_that_session()
    {
        var (guild, user) = (Ids.NewChannelId(), TestUsers.New("ann"));
        await _store.UpsertAsync(Row(guild, user, "old"));
        await _store.UpsertAsync(Row(guild, user, "new"));

        Assert.False(await _store.DeleteAsync(guild, user, "old"));
        Assert.True(await _store.DeleteAsync(guild, user, "new"));
        Assert.Empty(await _store.ListAsync(guild));
    }

    [Fact]
    public async Task A_batch_writes_its_rows_and_deletes_only_the_sessions_it_names_of_its_server()
    {
        var (guild, other) = (Ids.NewChannelId(), Ids.NewChannelId());
        var (ann, bob, cy, dee, eve) = (TestUsers.New("ann"), TestUsers.New("bob"), TestUsers.New("cy"), TestUsers.New("dee"), TestUsers.New("eve"));
        await _store.UpsertAsync(Row(guild, ann, "a1"));
        await _store.UpsertAsync(Row(guild, bob, "b2"));
        await _store.UpsertAsync(Row(other, cy, "c1"));
        await _store.UpsertAsync(Row(guild, eve, "e1"));
        var moved = new StoredVoiceState(Row(guild, eve, "e1").State with { ChannelId = "stage", SelfMute = true, Version = 7 }, "conn-2", DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

        await _store.WriteAsync(
            guild,
            [Row(guild, dee, "d1"), moved],
            // ann's ends; bob's names an older session and cy's another server: both stay.
            [new VoiceSessionRef(ann, "a1"), new VoiceSessionRef(bob, "b1"), new VoiceSessionRef(cy, "c1")]);

        var rows = (await _store.ListAsync(guild)).ToDictionary(row => row.State.UserId);
        Assert.Equal([bob, dee, eve], rows.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(moved, rows[eve]);
        Assert.Single(await _store.ListAsync(other));
        await _store.WriteAsync(guild, [], []);
    }

    private static StoredVoiceState Row(string guildId, string userId, string sessionId) =>
        new(new VoiceState(guildId, "lounge", userId, sessionId, false, false, false, false, false, false, false, 1), "conn", DateTimeOffset.UtcNow);
}
