using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>Outside Development: the dashboard needs credentials, and unsafe settings stop a host at start.</summary>
public sealed class ProductionSafetyTests(TestServers servers)
{
    private static readonly HttpClient Http = new();

    private static readonly Dictionary<string, string> Production = new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Dashboard__Username"] = "operator",
        ["Dashboard__Password"] = "correct-horse-battery-staple",
    };

    [Fact]
    public async Task The_dashboard_asks_for_credentials_in_production_and_probes_do_not()
    {
        await using var cluster = await ProcessCluster.StartAsync(servers, silos: 1, gateways: 0, settings: Production);
        var silo = cluster.Silos[0].Url;

        using var anonymous = await Http.GetAsync($"{silo}/dashboard/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);

        Assert.Equal(HttpStatusCode.Unauthorized, await DashboardStatusAsync(silo, "operator:wrong-password"));
        Assert.Equal(HttpStatusCode.OK, await DashboardStatusAsync(silo, "operator:correct-horse-battery-staple"));
        using var live = await Http.GetAsync($"{silo}/health/live", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task A_silo_without_dashboard_credentials_refuses_to_start_in_production()
    {
        var settings = new Dictionary<string, string>(Production) { ["Dashboard__Password"] = "" };
        await using var cluster = await ProcessCluster.CreateAsync(servers, silos: 1, gateways: 0, settings);
        var silo = cluster.Silos[0];

        silo.Start();

        Assert.NotEqual(0, await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Dashboard__Password", silo.LogTail());
    }

    [Fact]
    public async Task A_gateway_with_dev_tokens_refuses_to_start_in_production()
    {
        await using var cluster = await ProcessCluster.CreateAsync(servers, silos: 0, gateways: 1, Production);
        var gateway = cluster.Gateways[0];

        gateway.Start();

        Assert.NotEqual(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Auth:DevTokens:Enabled", gateway.LogTail());
    }

    private static async Task<HttpStatusCode> DashboardStatusAsync(string silo, string credentials)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{silo}/dashboard/");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        using var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
