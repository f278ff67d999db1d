using Cryb.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Cryb.Tests.Integration;

/// <summary>
/// A connection does not outlive its token: the gateway (clock skew 0 here) closes it within
/// seconds of <c>exp</c>, while connections with current tokens carry on.
/// </summary>
public sealed class TokenExpiryTests(TestServers servers)
{
    [Fact]
    public async Task A_connection_is_closed_within_seconds_of_its_token_expiring_and_others_keep_working()
    {
        await using var cluster = await ProcessCluster.StartAsync(servers, silos: 1, gateways: 1,
            gatewaySettings: new Dictionary<string, string> { ["Auth__ClockSkew"] = "00:00:00" });
        var gateway = cluster.Gateways[0].Url;
        await using var control = await ChatTestClient.ConnectAsync(gateway, TestTokens.Create("bob"), "bob");
        var channel = await control.CreateChannelAsync("expiry");

        // exp has whole-second precision: round up so the token lives at least 8 s from now.
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddSeconds(9).ToUnixTimeSeconds());
        await using var alice = await ChatTestClient.ConnectAsync(gateway, TestTokens.Create("alice", expires: expires), "alice");
        var closed = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        alice.Connection.Closed += _ =>
        {
            closed.TrySetResult(DateTimeOffset.UtcNow);
            return Task.CompletedTask;
        };
        await alice.JoinChannelAsync(channel.Id);
        Assert.Equal(1, (await alice.SendMessageAsync(channel.Id, "before expiry")).Seq);

        var closedAt = await closed.Task.WithinAsync(expires.AddSeconds(15) - DateTimeOffset.UtcNow, "the gateway to close alice's connection after her token's exp");

        // Not before exp (a second of slack for the two clocks' rounding), and soon after it.
        Assert.InRange(closedAt, expires.AddSeconds(-1), expires.AddSeconds(15));
        Assert.Equal(HubConnectionState.Disconnected, alice.Connection.State);
        Assert.Equal(2, (await control.SendMessageAsync(channel.Id, "after alice's expiry")).Seq);
    }
}
