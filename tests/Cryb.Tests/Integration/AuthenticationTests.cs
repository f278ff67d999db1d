using System.Net;
using Cryb.Gateway.Auth;
using Cryb.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Cryb.Tests.Integration;

/// <summary>
/// Bad tokens are refused at connect with HTTP 401 through the official .NET client: no connection
/// is made, the refusal is logged once with its reason and counted in
/// <c>cryb_gateway_auth_failures_total{reason}</c>, the token is not logged, and a connection
/// already open on the same gateway keeps working.
/// </summary>
public sealed class AuthenticationTests(AuthEdgeClusterFixture fixture) : IClassFixture<AuthEdgeClusterFixture>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

    private ClusterProcess Gateway => fixture.Gateway;

    [Fact]
    public async Task A_connection_without_a_token_is_refused_with_401() =>
        await AssertRefusedAtConnectAsync(null, AuthFailureReasons.Missing);

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused_with_401() =>
        await AssertRefusedAtConnectAsync(TestTokens.Create("mallory", credentials: TestTokens.ForeignHmac()), AuthFailureReasons.InvalidSignature);

    [Fact]
    public async Task An_unsigned_alg_none_token_is_refused_with_401() =>
        await AssertRefusedAtConnectAsync(TestTokens.Unsigned("mallory"), AuthFailureReasons.InvalidSignature);

    [Fact]
    public async Task A_token_from_another_issuer_is_refused_with_401() =>
        await AssertRefusedAtConnectAsync(TestTokens.Create("mallory", issuer: "someone-else"), AuthFailureReasons.InvalidIssuer);

    [Fact]
    public async Task A_token_for_another_audience_is_refused_with_401() =>
        await AssertRefusedAtConnectAsync(TestTokens.Create("mallory", audience: "another-service"), AuthFailureReasons.InvalidAudience);

    [Fact]
    public async Task An_expired_token_is_refused_with_401()
    {
        // Expired beyond the gateway's default 30 s clock skew.
        var now = DateTimeOffset.UtcNow;
        await AssertRefusedAtConnectAsync(
            TestTokens.Create("mallory", notBefore: now.AddMinutes(-10), expires: now.AddMinutes(-2)), AuthFailureReasons.Expired);
    }

    [Fact]
    public async Task A_token_not_yet_valid_is_refused_with_401()
    {
        var now = DateTimeOffset.UtcNow;
        await AssertRefusedAtConnectAsync(
            TestTokens.Create("mallory", notBefore: now.AddMinutes(2), expires: now.AddMinutes(30)), AuthFailureReasons.NotYetValid);
    }

    [Fact]
    public async Task A_token_crafted_with_the_gateway_key_connects_and_gets_Ready()
    {
        await using var alice = await ChatTestClient.ConnectAsync(Gateway.Url, TestTokens.Create("alice"), "alice");

        var ready = await alice.NextAsync<ReadyEvent>("Ready");

        Assert.Equal("alice", ready.User.Id);
    }

    [Fact]
    public async Task A_bad_token_on_the_raw_negotiate_request_gets_401_with_a_bearer_challenge()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Gateway.Url}/hubs/chat/negotiate?negotiateVersion=1");
        request.Headers.Authorization = new("Bearer", TestTokens.Create("mallory", audience: "another-service"));

        using var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    /// <summary>
    /// The whole contract of a refusal at connect, with a control connection opened before it that
    /// must still create a channel and send afterwards.
    /// </summary>
    private async Task AssertRefusedAtConnectAsync(string? token, string reason)
    {
        var controlUser = "control-" + Guid.NewGuid().ToString("N")[..8];
        await using var control = await ChatTestClient.ConnectAsync(Gateway.Url, TestTokens.Create(controlUser), controlUser);
        // Ready is the control connection's last step, after it is counted; the Prometheus exporter
        // serves a cached scrape for 300 ms, so wait that out for a baseline that includes it.
        await control.NextAsync<ReadyEvent>("Ready");
        await Task.Delay(TimeSpan.FromMilliseconds(400), TestContext.Current.CancellationToken);
        var before = await PrometheusText.ScrapeAsync(Http, Gateway.Url);
        var refusalsLogged = CountLogged(reason);

        var connection = new HubConnectionBuilder()
            .WithUrl($"{Gateway.Url}/hubs/chat", options =>
            {
                if (token is not null)
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                }
            })
            .Build();
        await using (connection)
        {
            var refusal = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync(TestContext.Current.CancellationToken));
            Assert.Equal(HttpStatusCode.Unauthorized, refusal.StatusCode);
            Assert.Equal(HubConnectionState.Disconnected, connection.State);
        }

        var failures = PrometheusText.Sum(before, "cryb_gateway_auth_failures_total", ("reason", reason));
        await Eventually.WaitUntilAsync(
            async () => PrometheusText.Sum(await PrometheusText.ScrapeAsync(Http, Gateway.Url), "cryb_gateway_auth_failures_total", ("reason", reason)) == failures + 1,
            $"cryb_gateway_auth_failures_total{{reason=\"{reason}\"}} to count the refusal");
        await Eventually.WaitUntilAsync(() => Task.FromResult(CountLogged(reason) >= refusalsLogged + 1), $"the {reason} refusal in the gateway log");
        var after = await PrometheusText.ScrapeAsync(Http, Gateway.Url);

        Assert.Equal(refusalsLogged + 1, CountLogged(reason));
        Assert.Equal(PrometheusText.Sum(before, "cryb_gateway_connects_total"), PrometheusText.Sum(after, "cryb_gateway_connects_total"));
        if (token is not null)
        {
            Assert.DoesNotContain(TestTokens.SignatureOf(token) is { Length: > 0 } signature ? signature : token, Gateway.LogTail(int.MaxValue));
        }

        var channel = await control.CreateChannelAsync("still served");
        Assert.Equal(1, (await control.SendMessageAsync(channel.Id, "after the refusal")).Seq);
    }

    private int CountLogged(string reason)
    {
        var log = Gateway.LogTail(int.MaxValue);
        var line = $"Authentication refused ({reason}) for 127.0.0.1 on /hubs/chat/negotiate";
        var count = 0;
        for (var at = log.IndexOf(line, StringComparison.Ordinal); at >= 0; at = log.IndexOf(line, at + line.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
