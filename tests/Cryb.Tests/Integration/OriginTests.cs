using System.Net;
using System.Net.WebSockets;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// Browser origins: pages of an origin in <c>Cors:AllowedOrigins</c> get CORS answers with
/// credentials; any other origin is refused with 403 on the hub, the WebSocket handshake included
/// (which CORS does not cover), whatever its token. Requests without an <c>Origin</c> pass.
/// </summary>
public sealed class OriginTests(AuthEdgeClusterFixture fixture) : IClassFixture<AuthEdgeClusterFixture>
{
    private const string UnlistedOrigin = "https://evil.example";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

    private ClusterProcess Gateway => fixture.Gateway;

    [Fact]
    public async Task Negotiate_from_an_unlisted_origin_is_refused_with_403_even_with_a_valid_token()
    {
        using var response = await NegotiateAsync(UnlistedOrigin);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        await AssertOtherConnectionsWorkAsync();
    }

    [Fact]
    public async Task A_websocket_handshake_from_an_unlisted_origin_is_refused_with_403()
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", UnlistedOrigin);
        socket.Options.CollectHttpResponseDetails = true;

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(HubSocketUri(), TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
        await AssertOtherConnectionsWorkAsync();
    }

    [Fact]
    public async Task A_websocket_handshake_from_the_listed_origin_is_accepted()
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", AuthEdgeClusterFixture.AllowedOrigin);
        socket.Options.CollectHttpResponseDetails = true;

        await socket.ConnectAsync(HubSocketUri(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.SwitchingProtocols, socket.HttpStatusCode);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Negotiate_from_the_listed_origin_succeeds_with_cors_headers_echoing_it()
    {
        using var response = await NegotiateAsync(AuthEdgeClusterFixture.AllowedOrigin);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(AuthEdgeClusterFixture.AllowedOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
    }

    [Fact]
    public async Task A_preflight_from_the_listed_origin_allows_the_authorization_header()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, $"{Gateway.Url}/hubs/chat/negotiate?negotiateVersion=1");
        request.Headers.Add("Origin", AuthEdgeClusterFixture.AllowedOrigin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,x-requested-with");

        using var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(AuthEdgeClusterFixture.AllowedOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("authorization", response.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_gateways_own_origin_and_no_origin_are_allowed()
    {
        using var own = await NegotiateAsync(Gateway.Url);
        using var none = await NegotiateAsync(origin: null);

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.OK, none.StatusCode);
    }

    private async Task<HttpResponseMessage> NegotiateAsync(string? origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Gateway.Url}/hubs/chat/negotiate?negotiateVersion=1");
        request.Headers.Authorization = new("Bearer", TestTokens.Create("alice"));
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return await Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Without negotiation, as clients that skip it connect: the token in the query string.</summary>
    private Uri HubSocketUri() =>
        new($"ws://127.0.0.1:{Gateway.HttpPort}/hubs/chat?access_token={TestTokens.Create("alice")}");

    private async Task AssertOtherConnectionsWorkAsync()
    {
        await using var control = await ChatTestClient.ConnectAsync(Gateway.Url, TestTokens.Create("bob"), "bob");
        var channel = await control.CreateChannelAsync("origins");
        Assert.Equal(1, (await control.SendMessageAsync(channel.Id, "still served")).Seq);
    }
}
