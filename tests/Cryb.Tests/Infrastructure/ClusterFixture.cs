using Cryb.Grains.Guilds;
using Cryb.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Cryb.Streaming;
using Orleans.TestingHost;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// A two-silo Orleans test cluster with production's PostgreSQL grain storage, message store and
/// push streams against the run's private PostgreSQL. Membership and transport are the test
/// cluster's in-process ones; Redis membership is covered by the process-based integration tests.
/// </summary>
public sealed class ClusterFixture(TestServers servers) : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public IClusterClient Client => Cluster.Client;
    public TestServers Servers => servers;

    public async ValueTask InitializeAsync()
    {
        Cluster = CrybBuilder(servers, silos: 2).Build();
        await Cluster.DeployAsync();
    }

    /// <summary>
    /// An in-process cluster as the silos run in production (grain storage, message store, push
    /// streams, the test accounts) on the run's PostgreSQL; a fixture adds what it varies.
    /// </summary>
    public static InProcessTestClusterBuilder CrybBuilder(TestServers servers, short silos)
    {
        var builder = new InProcessTestClusterBuilder(initialSilosCount: silos);
        builder.ConfigureSilo((_, siloBuilder) => siloBuilder.ConfigureCrybSilo(servers.PostgresConnectionString));
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(TestAccounts.Configuration);
            host.Services.AddCrybDataServices(servers.PostgresConnectionString);
        });
        // The test client subscribes as a gateway would: stream subscriptions are for gateways only.
        builder.ConfigureClient(client => client.AddCrybPushStreams(streams => streams.Credential = TestAccounts.Gateway));
        return builder;
    }

    /// <summary>
    /// An in-process cluster whose silos create channels as those before servers did (standalone),
    /// so a test can make the channels an upgrade finds: each moves into a server of its own at its
    /// grain's next activation or by the sweep.
    /// </summary>
    public static InProcessTestClusterBuilder PreUpgradeBuilder(TestServers servers, short silos)
    {
        var builder = CrybBuilder(servers, silos);
        builder.ConfigureSiloHost((_, host) => host.Configuration.AddInMemoryCollection(
            [new($"{GuildOptions.Section}:{nameof(GuildOptions.CreateStandaloneChannels)}", "true")]));
        return builder;
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
