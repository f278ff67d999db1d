using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>The foundation scenario on the official <c>@microsoft/signalr</c> JavaScript client (tests/js/smoke.mjs).</summary>
public sealed class JavaScriptClientTests(ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>
{
    [Fact]
    public async Task The_official_javascript_client_runs_the_foundation_scenario_across_gateways()
    {
        var scripts = Path.Combine(BuildOutput.RepositoryRoot, "tests", "js");
        Assert.True(Directory.Exists(Path.Combine(scripts, "node_modules", "@microsoft", "signalr")),
            "tests/js/node_modules is missing: `./cryb test` runs `npm ci` there first.");

        var gateways = string.Join(',', fixture.Cluster.Gateways.Select(gateway => gateway.Url));
        var output = await Shell.RunAsync("env", $"CRYB_GATEWAYS={gateways}", "node", Path.Combine(scripts, "smoke.mjs"));

        Assert.Contains("js smoke passed", output);
    }
}
