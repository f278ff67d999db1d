using System.Net;
using Cryb.Errors;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>The silos trust a gateway only as far as its service account: a wrong secret gets it nothing.</summary>
public sealed class GatewayCredentialTests(TestServers servers)
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task A_gateway_with_a_wrong_service_secret_cannot_act_for_any_user_and_the_silo_counts_it()
    {
        var wrongSecret = new Dictionary<string, string> { ["Security__ServiceSecret"] = "a-wrong-secret-that-is-long-enough-to-pass" };
        await using var cluster = await ProcessCluster.StartAsync(servers, silos: 1, gateways: 1, wrongSecret);

        // The gateway cannot even learn whether alice's account is in good standing: it fails closed.
        var refusal = await Assert.ThrowsAsync<HttpRequestException>(() => cluster.ConnectAsync(0, "alice"));

        Assert.Equal(HttpStatusCode.Unauthorized, refusal.StatusCode);
        var metrics = await PrometheusText.ScrapeAsync(Http, cluster.Silos[0].Url);
        Assert.True(PrometheusText.Sum(metrics, "cryb_security_client_calls_refused_total", ("code", ErrorCodes.Unauthenticated)) >= 1);
        Assert.Contains("Refused client call IUserGrain.GetStanding via service account gateway", cluster.Silos[0].LogTail(200));
        Assert.DoesNotContain(wrongSecret["Security__ServiceSecret"], cluster.Silos[0].LogTail(500));
    }

    [Fact]
    public async Task A_silo_whose_service_accounts_have_no_secret_refuses_to_start_naming_the_setting()
    {
        var none = TestAccounts.Settings.Keys.Where(key => key.StartsWith("Security__Services__", StringComparison.Ordinal))
            .ToDictionary(key => key, _ => "");
        await using var cluster = await ProcessCluster.CreateAsync(servers, silos: 1, gateways: 0, none);
        var silo = cluster.Silos[0];

        silo.Start();

        Assert.NotEqual(0, await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("must be at least 32 characters (Security__Services__welcome-bot__Secret)", silo.LogTail());
    }
}
