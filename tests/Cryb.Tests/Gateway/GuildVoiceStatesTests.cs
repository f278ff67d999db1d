using Cryb.Gateway.Fanout;
using Cryb.Voice;

namespace Cryb.Tests.Gateway;

/// <summary>
/// A gateway's copy of a server's voice states: events apply in version order per user, a late
/// event never undoes a newer change (a leave included), and a voice grain snapshot after lost
/// pushes puts the copy right and says what the members missed.
/// </summary>
public sealed class GuildVoiceStatesTests
{
    private static VoiceState In(string userId, string? channelId, long version, bool selfMute = false) =>
        new("g1", channelId, userId, "s-" + userId, selfMute, false, false, false, false, false, false, version);

    [Fact]
    public void A_join_that_arrives_after_the_users_leave_does_not_bring_them_back()
    {
        var voice = new GuildVoiceStates();
        Assert.True(voice.Apply(In("bob", "room", 1)));
        Assert.True(voice.Apply(In("bob", null, 3)));

        Assert.False(voice.Apply(In("bob", "room", 2, selfMute: true)));
        Assert.Empty(voice.All);
        Assert.True(voice.Apply(In("bob", "hall", 4)));
        Assert.Equal("hall", Assert.Single(voice.All).ChannelId);
    }

    [Fact]
    public void A_snapshot_after_lost_pushes_reports_what_changed_and_makes_late_events_harmless()
    {
        var voice = new GuildVoiceStates();
        voice.Apply(In("alice", "room", 1));
        voice.Apply(In("bob", "room", 2));
        voice.Apply(In("carol", "room", 3));

        // Lost: bob left (4), alice moved (5), dave joined (6). Carol's mute (8) arrived before the
        // snapshot, which was read at 7.
        voice.Apply(In("carol", "room", 8, selfMute: true));
        var changed = voice.Replace(new VoiceSnapshot([In("alice", "hall", 5), In("carol", "room", 3), In("dave", "room", 6)], 7));

        Assert.Equal(
            [("bob", null, "room"), ("alice", "hall", "room"), ("dave", "room", null)],
            changed.Select(change => (change.State.UserId, change.State.ChannelId, change.FromChannelId)));
        Assert.Equal(
            [("alice", "hall", false), ("carol", "room", true), ("dave", "room", false)],
            voice.All.OrderBy(state => state.UserId).Select(state => (state.UserId, state.ChannelId!, state.SelfMute)));

        // The lost pushes, delivered late after all, change nothing.
        Assert.False(voice.Apply(In("bob", null, 4)));
        Assert.False(voice.Apply(In("alice", "hall", 5)));
        Assert.False(voice.Apply(In("bob", "room", 2)));
        Assert.Equal(["room", "room"], voice.In("room").Select(state => state.ChannelId!));
        Assert.True(voice.Apply(In("bob", "room", 9)));
        Assert.Equal(["bob", "carol", "dave"], voice.In("room").Select(state => state.UserId));
    }

    [Fact]
    public void A_snapshot_equal_to_what_is_held_reports_nothing()
    {
        var voice = new GuildVoiceStates();
        voice.Apply(In("alice", "room", 1));
        voice.Apply(In("bob", null, 2));

        Assert.Empty(voice.Replace(new VoiceSnapshot([In("alice", "room", 1)], 2)));
        Assert.Equal("alice", Assert.Single(voice.All).UserId);
    }
}
