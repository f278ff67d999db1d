using Cryb.Silo.Hosting;
using Cryb.Streaming;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// A one-silo Orleans test cluster whose grains live on a <see cref="FakeTimeProvider"/>: the
/// grains' own clock and their grain timers move only when a test advances <see cref="Clock"/>.
/// Orleans' background loops (membership, directory, activation collection) stay on real time, as
/// the Orleans repository's fake-time tests keep them: advanced by the fake clock they would spin
/// inline in <see cref="FakeTimeProvider.Advance"/>. Its tests are one collection, so one test at
/// a time owns the clock.
/// </summary>
public class FakeClockClusterFixture(TestServers servers) : IAsyncLifetime
{
    /// <summary>
    /// The gateway lease at its longest: the tests register connections for gateways that never
    /// heartbeat, and a lease ending as a test moves the clock by minutes would take their users offline.
    /// </summary>
    private static readonly KeyValuePair<string, string?> LongestGatewayLease = new("Presence:GatewayLease", "00:10:00");

    public FakeTimeProvider Clock { get; } = new();

    /// <summary>Silo settings a derived fixture adds (configuration keys).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public IClusterClient Client => Cluster.Client;
    public TestServers Servers => servers;

    /// <summary>The silo's services: the options the grains run with, read rather than retyped.</summary>
    public IServiceProvider SiloServices => Cluster.GetSiloServiceProvider(Cluster.Silos[0].SiloAddress);

    public async ValueTask InitializeAsync()
    {
        var builder = ClusterFixture.CrybBuilder(servers, silos: 1);
        builder.ConfigureSilo((_, siloBuilder) => siloBuilder.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System));
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection([LongestGatewayLease, .. Settings]);
            // AddCrybDataServices registered the system clock; the grains get this one instead.
            host.Services.RemoveAll<TimeProvider>();
            host.Services.AddSingleton<TimeProvider>(Clock);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        if (SiloServices.GetRequiredService<TimeProvider>() != Clock)
        {
            throw new InvalidOperationException("The silo's grains are not on the test's fake clock.");
        }
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class FakeClockCollection : ICollectionFixture<FakeClockClusterFixture>
{
    public const string Name = "fake-clock cluster";
}
