using System.Diagnostics;
using Cryb.Chaos.Checker;
using Cryb.Chaos.Cluster;
using Cryb.Presence;
using Cryb.Testing;

namespace Cryb.Chaos.Faults;

/// <summary>
/// What members of each channel see of the others' presence: in every channel one connected member
/// asks <c>GetPresence</c> for the rest, and every connected user must show online (or idle).
/// </summary>
public static class PresenceCheck
{
    /// <summary>The running silo whose <c>cryb_presence_online</c> is highest: it holds the most presence grains of connected users.</summary>
    public static async Task<(ClusterProcess Silo, double Online)> BusiestSiloAsync(ChaosCluster cluster)
    {
        var online = await cluster.SumBySiloAsync("cryb_presence_online");
        var busiest = online.MaxBy(entry => entry.Value);
        return (cluster.Silos.Single(silo => silo.Name == busiest.Key), busiest.Value);
    }

    /// <summary>
    /// Asks until no connected user is shown offline or <paramref name="timeout"/> passed; returns
    /// when that was (null if never) and how many were still shown offline at the end. A lookup that
    /// fails (it met a dead silo) counts its users as not shown online.
    /// </summary>
    public static async Task<(TimeSpan? AllOnlineAfter, IReadOnlyList<string> ShownOffline)> WaitAllOnlineAsync(IReadOnlyList<CheckerClient> clients, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var shownOffline = await ShownOfflineAsync(clients);
            if (shownOffline.Count == 0)
            {
                return (clock.Elapsed, shownOffline);
            }

            if (clock.Elapsed > timeout)
            {
                return (null, shownOffline);
            }

            await Task.Delay(500);
        }
    }

    private static async Task<IReadOnlyList<string>> ShownOfflineAsync(IReadOnlyList<CheckerClient> clients)
    {
        var channels = clients
            .SelectMany(client => client.Receivers.Select(receiver => (receiver.ChannelId, Client: client)))
            .GroupBy(member => member.ChannelId, member => member.Client);
        var shownOffline = new List<string>();
        foreach (var members in channels)
        {
            var connected = members.Where(member => member.Connection is not null).ToArray();
            if (connected.Length < 2)
            {
                continue;
            }

            // The last member: senders are the first clients, and a send stuck on the dead silo
            // holds its connection's next calls until it times out, which says nothing of presence.
            var watcher = connected[^1];
            var watched = connected[..^1].Select(member => member.UserId).ToArray();
            try
            {
                var seen = await watcher.GetPresenceAsync(watched, CancellationToken.None);
                var online = seen.Where(presence => presence.Status is not PresenceStatus.Offline).Select(presence => presence.UserId).ToHashSet();
                shownOffline.AddRange(watched.Where(userId => !online.Contains(userId)));
            }
            catch (Exception)
            {
                // Refused, timed out or cut off: a lookup that met the dead silo shows nobody online.
                shownOffline.AddRange(watched);
            }
        }

        return shownOffline;
    }
}
