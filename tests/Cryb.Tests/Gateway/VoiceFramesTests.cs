using Cryb.Gateway.Fanout;
using Cryb.Voice;

namespace Cryb.Tests.Gateway;

/// <summary>
/// A window's voice states made into <c>VoiceStatesUpdated</c> frames: each connection gets the
/// states it may see in the order heard, a move out of its view as a leave, and connections that
/// see the same list share one frame.
/// </summary>
public sealed class VoiceFramesTests
{
    private static VoiceState In(string userId, string? channelId, long version) =>
        new("g1", channelId, userId, "s-" + userId, false, false, false, false, false, false, false, version);

    [Fact]
    public void Connections_that_see_every_channel_share_one_frame_with_every_state_in_order()
    {
        var everyone = new HashSet<string> { "c1", "c2", "c3" };
        (VoiceState, string?)[] states = [(In("bob", "room", 1), null), (In("alice", "hall", 2), null), (In("bob", "hall", 3), "room"), (In("bob", null, 4), "hall")];

        var frame = Assert.Single(VoiceFrames.Group(states, _ => everyone));

        Assert.Equal(["c1", "c2", "c3"], frame.ConnectionIds.Order());
        Assert.Equal([1L, 2, 3, 4], frame.States.Select(state => state.Version));
        Assert.Equal(["room", "hall", "hall", null], frame.States.Select(state => state.ChannelId));
    }

    [Fact]
    public void A_move_to_a_channel_out_of_view_reaches_those_who_saw_only_the_old_one_as_a_leave()
    {
        Dictionary<string, HashSet<string>> viewers = new()
        {
            ["room"] = ["c1", "c2"],
            ["stage"] = ["c1"],
        };
        (VoiceState, string?)[] states = [(In("bob", "stage", 5), "room"), (In("carol", "room", 6), null)];

        var frames = VoiceFrames.Group(states, channel => viewers[channel]).ToDictionary(frame => string.Join(",", frame.ConnectionIds.Order()));

        Assert.Equal(2, frames.Count);
        Assert.Equal([("bob", "stage"), ("carol", "room")], frames["c1"].States.Select(state => (state.UserId, state.ChannelId)));
        Assert.Equal([("bob", (string?)null), ("carol", "room")], frames["c2"].States.Select(state => (state.UserId, state.ChannelId)));
        Assert.Equal(5, frames["c2"].States[0].Version);
    }

    [Fact]
    public void Viewers_are_asked_once_per_channel_and_nobody_gets_a_frame_of_nothing()
    {
        List<string> asked = [];
        (VoiceState, string?)[] states = [(In("bob", "room", 1), null), (In("dave", "room", 2), null), (In("bob", null, 3), "room")];

        var frames = VoiceFrames.Group(states, channel =>
        {
            asked.Add(channel);
            return new HashSet<string>();
        });

        Assert.Empty(frames);
        Assert.Equal(["room"], asked);
    }
}
