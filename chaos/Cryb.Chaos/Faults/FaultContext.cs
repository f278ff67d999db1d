using Cryb.Chaos.Checker;
using Cryb.Chaos.Cluster;
using Cryb.Testing;

namespace Cryb.Chaos.Faults;

/// <summary>What a fault acts on: the cluster, the scenario being recorded, and who is busiest right now.</summary>
public sealed class FaultContext(ChaosCluster cluster, ScenarioWindow window, ChaosSettings settings, ClusterProcess busiestSilo, ClusterProcess busiestGateway, IReadOnlyList<CheckerClient> clients, IReadOnlyList<string> channelIds, string slowClientToken, ChaosServer server, Action<string> log)
{
    public ChaosCluster Cluster { get; } = cluster;
    public ScenarioWindow Window { get; } = window;
    public ChaosSettings Settings { get; } = settings;

    /// <summary>The silo that acknowledged the most sends in the phase before the fault: it hosts the busiest channel grains.</summary>
    public ClusterProcess BusiestSilo { get; } = busiestSilo;

    /// <summary>The gateway most checker clients are connected to.</summary>
    public ClusterProcess BusiestGateway { get; } = busiestGateway;

    public IReadOnlyList<CheckerClient> Clients { get; } = clients;

    public IReadOnlyList<string> ChannelIds { get; } = channelIds;

    /// <summary>The server whose channels are half of <see cref="ChannelIds"/>, with its owner.</summary>
    public ChaosServer Server { get; } = server;

    /// <summary>A token for a user who is not a checker client, for the slow client.</summary>
    public string SlowClientToken { get; } = slowClientToken;

    /// <summary>Connected users a presence check still saw offline when it gave up; asserted zero (set by the faults that check presence).</summary>
    public long UsersShownOffline { get; set; }

    public void Log(string line) => log(line);

    public void Note(string note)
    {
        Window.Notes.Add(note);
        log(note);
    }

    /// <summary>Waits until every checker client is connected again (or the timeout), and says how long that took.</summary>
    public async Task WaitClientsConnectedAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Clients.Any(client => client.Connection is null) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }
}
