using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// A gateway sets up a bounded number of connections at once (<c>Gateway__Hub__MaxConnectsInFlight</c>)
/// and refuses the rest with 503 <c>try_again</c> and a retry time before accepting their
/// WebSocket: a herd of reconnecting clients is shed, not queued until it times out. A connection
/// counts from its WebSocket request to its <c>Ready</c>.
/// </summary>
public sealed class ConnectAdmissionTests(TestServers servers)
{
    [Fact]
    public async Task Connects_beyond_the_limit_get_503_try_again_with_a_retry_time_and_get_in_once_the_one_being_set_up_is()
    {
        await using var cluster = await ProcessCluster.StartAsync(servers, silos: 1, gateways: 1,
            gatewaySettings: new Dictionary<string, string> { ["Gateway__Hub__MaxConnectsInFlight"] = "1" });
        var gateway = cluster.Gateways[0].Url;
        var (aliceId, bobId, carolId) = (TestUsers.New("alice"), TestUsers.New("bob"), TestUsers.New("carol"));
        var refusals = new RefusalCount();

        // Set up connections do not count: with a limit of 1, two in a row both get Ready (the
        // second may have to retry for a moment: alice's place is freed just after her Ready).
        await using var alice = await cluster.ConnectAsync(0, aliceId);
        await using var bob = await ConnectWhenAdmittedAsync(cluster, bobId, refusals);
        Assert.NotNull(await bob.NextAsync<ReadyEvent>("Ready"));

        // A WebSocket that never sends SignalR's handshake stays a connection being set up.
        using var stalled = new ClientWebSocket();
        await stalled.ConnectAsync(HubSocket(gateway, await cluster.TokenAsync(carolId)), TestContext.Current.CancellationToken);

        // Meanwhile a connect without a negotiate is refused before its WebSocket is accepted...
        using var refused = new ClientWebSocket();
        refused.Options.CollectHttpResponseDetails = true;
        var aliceAgain = HubSocket(gateway, await cluster.TokenAsync(aliceId));
        await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(aliceAgain, TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.HttpStatusCode);
        refusals.Seen++;
        Assert.InRange(int.Parse(refused.HttpResponseHeaders!["Retry-After"].Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 2);

        // ...and so is a negotiate, with the code and the retry time in milliseconds.
        using var http = new HttpClient();
        using var negotiate = await http.PostAsync($"{gateway}/hubs/chat/negotiate?negotiateVersion=1", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, negotiate.StatusCode);
        refusals.Seen++;
        var problem = await negotiate.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("try_again", problem.GetProperty("title").GetString());
        Assert.InRange(problem.GetProperty("retryAfterMs").GetInt32(), 500, 2000);

        // Once it goes, the next client gets in.
        await stalled.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, TestContext.Current.CancellationToken);
        stalled.Abort();
        await using var carol = await ConnectWhenAdmittedAsync(cluster, carolId, refusals);
        Assert.NotNull(await carol.NextAsync<ReadyEvent>("Ready"));

        // Operators see every refusal, with the hub's, under its code.
        double counted = 0;
        await Eventually.WaitUntilAsync(
            async () => (counted = PrometheusText.Sum(await PrometheusText.ScrapeAsync(http, gateway), "cryb_refusals_total", ("code", "try_again"))) >= refusals.Seen,
            $"the gateway's metrics to count the {refusals.Seen} refused connects");
        Assert.Equal(refusals.Seen, counted);
    }

    private static Uri HubSocket(string gatewayUrl, string token) =>
        new($"{gatewayUrl.Replace("http://", "ws://", StringComparison.Ordinal)}/hubs/chat?access_token={Uri.EscapeDataString(token)}");

    /// <summary>Connects, retrying a 503 for a few seconds: a place is freed a moment after its holder's Ready or close.</summary>
    private static async Task<ChatTestClient> ConnectWhenAdmittedAsync(ProcessCluster cluster, string userId, RefusalCount refusals)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            try
            {
                return await cluster.ConnectAsync(0, userId);
            }
            catch (HttpRequestException refused) when (refused.StatusCode == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline)
            {
                refusals.Seen++;
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }
    }

    /// <summary>The 503s this test's clients met, each of which the gateway must have counted.</summary>
    private sealed class RefusalCount
    {
        public int Seen { get; set; }
    }
}
