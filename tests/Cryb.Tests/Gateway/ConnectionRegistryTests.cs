using Cryb.Gateway.Fanout;
using Cryb.Presence;

namespace Cryb.Tests.Gateway;

/// <summary>
/// The registry is the gateway's one record of which connection is in which channel: sends read it
/// and the stream subscriptions follow it, so a join, leave or disconnect must change all of it at
/// once, whatever races it.
/// </summary>
public sealed class ConnectionRegistryTests
{
    /// <summary>Enough rounds on two cores for a join and a disconnect to meet mid-update if they can.</summary>
    private const int Rounds = 2000;

    [Fact]
    public void What_a_send_read_stays_as_it_was_while_connections_join_and_leave_after_it()
    {
        var registry = new ConnectionRegistry();
        for (var i = 0; i < 5; i++)
        {
            registry.Add("c" + i, "u" + i, DeviceKind.Desktop, () => { });
            registry.Join("c" + i, "general");
            registry.EnterGuild("c" + i, "guild");
        }

        var read = registry.ConnectionsIn("general");
        var shown = registry.ConnectionsInGuild("guild");
        registry.Add("c5", "u5", DeviceKind.Desktop, () => { });
        registry.Join("c5", "general");
        registry.EnterGuild("c5", "guild");
        registry.Leave("c1", "general");
        registry.Remove("c3");

        string[] before = ["c0", "c1", "c2", "c3", "c4"];
        Assert.Equal(before, read);
        Assert.Equal(before, shown);
        Assert.Equal(["c0", "c2", "c4", "c5"], registry.ConnectionsIn("general"));
        Assert.Equal(["c0", "c1", "c2", "c4", "c5"], registry.ConnectionsInGuild("guild"));
        Assert.Equal(["c1"], registry.ConnectionsOf("u1"));
        Assert.Empty(registry.ConnectionsOf("u3"));
    }

    [Fact]
    public void A_join_racing_the_disconnect_of_its_connection_leaves_no_trace_of_the_connection()
    {
        var registry = new ConnectionRegistry();
        for (var round = 0; round < Rounds; round++)
        {
            var connectionId = "c" + round;
            var channelId = "ch" + round;
            registry.Add(connectionId, "alice", DeviceKind.Desktop, () => { });
            using var start = new Barrier(2);

            Parallel.Invoke(
                () =>
                {
                    start.SignalAndWait();
                    registry.Join(connectionId, channelId);
                },
                () =>
                {
                    start.SignalAndWait();
                    registry.Remove(connectionId);
                });

            Assert.False(registry.Contains(connectionId));
            Assert.Empty(registry.ConnectionsIn(channelId));
            Assert.Empty(registry.UsersIn(channelId));
            Assert.False(registry.WantsChannel(channelId), $"round {round}: channel still wanted after its only connection closed");
        }

        Assert.False(registry.HasConnectionsOf("alice"));
        Assert.Equal(0, registry.Count);
    }

    [Fact]
    public void Joins_and_leaves_racing_on_one_channel_end_with_each_connection_listed_as_its_last_change_says()
    {
        var registry = new ConnectionRegistry();
        var connections = Enumerable.Range(0, 8).Select(i => "c" + i).ToArray();
        foreach (var connectionId in connections)
        {
            registry.Add(connectionId, "user-" + connectionId, DeviceKind.Desktop, () => { });
        }

        // Each connection joins and leaves many times from its own thread, and ends joined if its index is even.
        Parallel.ForEach(connections, new ParallelOptions { MaxDegreeOfParallelism = 4 }, connectionId =>
        {
            var endJoined = int.Parse(connectionId[1..]) % 2 == 0;
            for (var i = 0; i < Rounds; i++)
            {
                Assert.True(registry.Join(connectionId, "general"));
                Assert.True(registry.Leave(connectionId, "general"));
            }

            if (endJoined)
            {
                registry.Join(connectionId, "general");
            }
        });

        var expected = connections.Where((_, i) => i % 2 == 0).ToArray();
        Assert.Equal(expected, registry.ConnectionsIn("general").Order());
        Assert.Equal(expected.Select(c => "user-" + c), registry.UsersIn("general").Order());
        // The connection's own list agrees with the channel's.
        foreach (var connectionId in connections)
        {
            var (channels, _, _) = registry.Remove(connectionId);
            Assert.Equal(expected.Contains(connectionId) ? ["general"] : [], channels);
        }

        Assert.Empty(registry.ConnectionsIn("general"));
        Assert.False(registry.WantsChannel("general"));
    }

    [Fact]
    public void A_channel_is_wanted_while_a_connection_is_in_it_or_a_join_holds_it_and_not_after_the_last_leaves()
    {
        var registry = new ConnectionRegistry();
        registry.Add("c1", "alice", DeviceKind.Desktop, () => { });
        registry.Add("c2", "bob", DeviceKind.Mobile, () => { });

        registry.Hold("general");
        Assert.True(registry.WantsChannel("general"));
        registry.Join("c1", "general");
        registry.Unhold("general");
        registry.Join("c2", "general");
        Assert.True(registry.WantsChannel("general"));

        registry.Leave("c1", "general");
        Assert.True(registry.WantsChannel("general"));
        registry.Remove("c2");
        Assert.False(registry.WantsChannel("general"));
        Assert.False(registry.HasConnectionsOf("bob"));
        Assert.True(registry.HasConnectionsOf("alice"));
    }

    [Fact]
    public void A_closed_connection_cannot_join_and_a_list_read_before_a_change_keeps_what_it_said()
    {
        var registry = new ConnectionRegistry();
        registry.Add("c1", "alice", DeviceKind.Desktop, () => { });
        registry.Join("c1", "general");
        var before = registry.ConnectionsIn("general");

        registry.Add("c2", "alice", DeviceKind.Mobile, () => { });
        registry.Join("c2", "general");
        registry.Remove("c1");

        // A send that read the list goes to whom it listed then; the next read lists the change.
        Assert.Equal(["c1"], before);
        Assert.Equal(["c2"], registry.ConnectionsIn("general"));
        Assert.False(registry.Join("c1", "general"));
        Assert.Equal(["c2"], registry.ConnectionsIn("general"));
        Assert.Equal(["c2"], registry.ConnectionsOf("alice"));
    }
}
