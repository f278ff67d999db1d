using System.Net;
using System.Net.WebSockets;
using Cryb.Channels;
using Cryb.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Cryb.Tests.Integration;

/// <summary>
/// Tokens never reach the gateway's log, even when an operator turns every category up to Trace,
/// ASP.NET Core's request log (which prints query strings) included, per provider too.
/// </summary>
public sealed class TokenLoggingTests(TestServers servers)
{
    [Fact]
    public async Task No_token_appears_in_the_log_at_trace_level_neither_accepted_nor_refused()
    {
        await using var cluster = await ProcessCluster.StartAsync(servers, silos: 1, gateways: 1, gatewaySettings: new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore.Authentication"] = "Trace",
            ["Logging__Console__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace",
            ["Logging__Console__LogLevel__Microsoft.AspNetCore.Hosting.*"] = "Trace",
        });
        var gateway = cluster.Gateways[0];

        // WebSockets cannot carry headers: the .NET client puts the token in the query string.
        var token = TestTokens.Create("alice");
        await using (var connection = new HubConnectionBuilder()
            .WithUrl($"{gateway.Url}/hubs/chat", HttpTransportType.WebSockets, options => options.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build())
        {
            await connection.StartAsync(TestContext.Current.CancellationToken);
            await connection.InvokeAsync<ChannelInfo>("CreateChannel", "logged", false, TestContext.Current.CancellationToken);
        }

        // A refused handshake with a forged token in the query string.
        var forged = TestTokens.Create("mallory", credentials: TestTokens.ForeignHmac());
        using (var socket = new ClientWebSocket())
        {
            socket.Options.CollectHttpResponseDetails = true;
            await Assert.ThrowsAsync<WebSocketException>(() =>
                socket.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.HttpPort}/hubs/chat?access_token={forged}"), TestContext.Current.CancellationToken));
            Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
        }

        await Eventually.WaitUntilAsync(
            () => Task.FromResult(gateway.LogTail(int.MaxValue).Contains("Authentication refused (invalid_signature)", StringComparison.Ordinal)),
            "the refused handshake in the gateway log");
        var log = gateway.LogTail(int.MaxValue);

        Assert.Contains("trce: ", log); // Trace is really on: the test would prove nothing otherwise.
        Assert.Contains("/hubs/chat", log);
        foreach (var secret in new[] { token, TestTokens.SignatureOf(token), forged, TestTokens.SignatureOf(forged) })
        {
            Assert.DoesNotContain(secret, log);
        }

        Assert.DoesNotContain("access_token=", log);
        Assert.DoesNotContain("Request starting", log);
    }
}
