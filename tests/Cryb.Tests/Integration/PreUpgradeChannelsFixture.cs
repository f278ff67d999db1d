using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Cryb.Channels;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// A cluster of its own whose silos create channels as those before servers did (standalone, by
/// <c>Guilds__CreateStandaloneChannels</c>), so each stands for a channel the upgrade finds, and the
/// operator's sweep over it.
/// </summary>
public sealed class PreUpgradeChannelsFixture(TestServers servers) : IAsyncLifetime
{
    private static readonly HttpClient Http = new();

    public ProcessCluster Cluster { get; private set; } = null!;

    /// <summary>The sweep's operator endpoint on the first silo.</summary>
    public string SweepUrl => $"{Cluster.Silos[0].Url}/admin/channel-migration";

    public async ValueTask InitializeAsync() => Cluster = await ProcessCluster.StartAsync(
        servers, settings: new Dictionary<string, string> { ["Guilds__CreateStandaloneChannels"] = "true" });

    /// <summary>Starts a pass of the sweep as an operator would, authenticated as a service account, and waits for its end.</summary>
    public async Task RunSweepAsync()
    {
        var basic = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestAccounts.Gateway.Name}:{TestAccounts.Gateway.Secret}")));
        using var start = new HttpRequestMessage(HttpMethod.Post, SweepUrl) { Headers = { Authorization = basic } };
        using (var started = await Http.SendAsync(start, TestContext.Current.CancellationToken))
        {
            started.EnsureSuccessStatusCode();
        }

        // The sweep tells nobody when it ends: its progress is what there is to wait on.
        await Eventually.WaitUntilAsync(async () =>
        {
            using var get = new HttpRequestMessage(HttpMethod.Get, SweepUrl) { Headers = { Authorization = basic } };
            using var response = await Http.SendAsync(get, TestContext.Current.CancellationToken);
            var progress = await response.Content.ReadFromJsonAsync<ChannelSweepProgress>(TestContext.Current.CancellationToken);
            return progress is { Running: false, Migrated: > 0 };
        }, "the channel sweep to finish");
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
