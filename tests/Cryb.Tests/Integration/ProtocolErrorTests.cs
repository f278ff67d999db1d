using Cryb.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Cryb.Tests.Integration;

/// <summary>
/// Frames SignalR cannot dispatch: an unknown method or bad arguments fail that one call, a
/// malformed frame closes that one connection; a control connection on the same gateway never
/// notices, and each is counted in <c>cryb.gateway.protocol_errors</c> by kind.
/// </summary>
public sealed class ProtocolErrorTests(SingleGatewayClusterFixture fixture) : IClassFixture<SingleGatewayClusterFixture>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

    private ProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task An_unknown_method_fails_that_call_only_and_is_counted()
    {
        await using var alice = await Cluster.ConnectAsync(0, "alice");
        await using var bob = await Cluster.ConnectAsync(0, "bob");
        var before = await ProtocolErrorsAsync("unknown_method");

        var failure = await Assert.ThrowsAsync<HubException>(() => alice.InvokeAsync("NoSuchMethod", "x"));
        Assert.StartsWith("Failed to invoke 'NoSuchMethod'", failure.Message, StringComparison.Ordinal); // what docs/protocol.md promises
        await Assert.ThrowsAsync<HubException>(() => alice.InvokeAsync<object>("DropAllTables"));

        await AssertBothStillWorkAsync(alice, bob);
        await WaitForCountAsync("unknown_method", before + 2);
    }

    [Fact]
    public async Task Frames_of_MessagePack_clients_are_counted_too()
    {
        await using var alice = await Cluster.ConnectAsync(0, "alice", messagePack: true);
        await using var bob = await Cluster.ConnectAsync(0, "bob");
        var unknown = await ProtocolErrorsAsync("unknown_method");
        var bad = await ProtocolErrorsAsync("bad_arguments");

        await Assert.ThrowsAsync<HubException>(() => alice.InvokeAsync("NoSuchMethod", "x"));
        await Assert.ThrowsAsync<HubException>(() => alice.InvokeAsync<object>("CreateChannel", "name", "yes"));

        await AssertBothStillWorkAsync(alice, bob);
        await WaitForCountAsync("unknown_method", unknown + 1);
        await WaitForCountAsync("bad_arguments", bad + 1);
    }

    [Fact]
    public async Task Wrong_argument_counts_and_types_fail_that_call_only_and_are_counted()
    {
        await using var alice = await Cluster.ConnectAsync(0, "alice");
        await using var bob = await Cluster.ConnectAsync(0, "bob");
        var channel = await alice.CreateChannelAsync("bad arguments");
        var before = await ProtocolErrorsAsync("bad_arguments");

        // Too few, too many.
        var failure = await Assert.ThrowsAsync<HubException>(() => alice.InvokeAsync<object>("SendMessage", channel.Id));
        Assert.StartsWith("Failed to invoke 'SendMessage'", failure.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<HubException>(() => alice.InvokeAsync<object>("CreateChannel", "name", false, "extra"));
        // Wrong types: an array for a string (cast, or params would spread it), a string for a bool, an unknown role.
        await Assert.ThrowsAsync<HubException>(() => alice.InvokeAsync<object>("CreateChannel", (object)new[] { "a", "b" }, false));
        await Assert.ThrowsAsync<HubException>(() => alice.InvokeAsync<object>("CreateChannel", "name", "yes"));
        await Assert.ThrowsAsync<HubException>(() => alice.InvokeAsync("SetMemberRole", channel.Id, "bob", "emperor"));

        await AssertBothStillWorkAsync(alice, bob);
        await WaitForCountAsync("bad_arguments", before + 5);
        Assert.Empty(await alice.GetHistoryAsync(channel.Id)); // nothing reached the grain
    }

    [Fact]
    public async Task A_malformed_frame_closes_that_connection_only_and_is_counted()
    {
        await using var alice = await Cluster.ConnectAsync(0, "alice");
        await using var bob = await Cluster.ConnectAsync(0, "bob");
        var before = await ProtocolErrorsAsync("malformed_frame");
        await using var mallory = await RawSignalRClient.ConnectAsync(Cluster.Gateways[0].Url, await Cluster.TokenAsync("mallory"));
        await mallory.ReceiveUntilAsync(frame => frame.Contains("\"target\":\"Ready\"", StringComparison.Ordinal), "mallory's Ready");

        await mallory.SendRawAsync("{\"type\":1,\"invocationId\":\"1\",\"target\":" + RawSignalRClient.RecordSeparator);

        // SignalR answers with a close message carrying an error, then closes the socket.
        var close = await mallory.ReceiveUntilAsync(frame => frame.Contains("\"type\":7", StringComparison.Ordinal), "the close message");
        Assert.Contains("\"error\"", close, StringComparison.Ordinal);
        Assert.True(await mallory.WaitUntilClosedAsync(TimeSpan.FromSeconds(10)), "mallory's connection is still open");
        await AssertBothStillWorkAsync(alice, bob);
        await WaitForCountAsync("malformed_frame", before + 1);
    }

    [Fact]
    public async Task A_frame_over_the_receive_limit_closes_that_connection_only_and_is_not_a_protocol_error()
    {
        await using var alice = await Cluster.ConnectAsync(0, "alice");
        await using var bob = await Cluster.ConnectAsync(0, "bob");
        var before = await Task.WhenAll(ProtocolErrorKinds.Select(ProtocolErrorsAsync));
        await using var mallory = await RawSignalRClient.ConnectAsync(Cluster.Gateways[0].Url, await Cluster.TokenAsync("mallory"));
        await mallory.ReceiveUntilAsync(frame => frame.Contains("\"target\":\"Ready\"", StringComparison.Ordinal), "mallory's Ready");

        // A well-formed call whose one frame is over SignalR's 64 KB receive limit.
        var content = new string('x', 70 * 1024);
        await mallory.SendRawAsync($"{{\"type\":1,\"invocationId\":\"1\",\"target\":\"SendMessage\",\"arguments\":[\"c\",\"{content}\",null,null]}}{RawSignalRClient.RecordSeparator}");

        Assert.True(await mallory.WaitUntilClosedAsync(TimeSpan.FromSeconds(10)), "mallory's connection is still open");
        await AssertBothStillWorkAsync(alice, bob);
        Assert.Equal(before, await Task.WhenAll(ProtocolErrorKinds.Select(ProtocolErrorsAsync)));
    }

    [Fact]
    public async Task A_frame_of_an_unknown_type_is_skipped_without_holding_up_the_frames_behind_it()
    {
        await using var mallory = await RawSignalRClient.ConnectAsync(Cluster.Gateways[0].Url, await Cluster.TokenAsync(TestUsers.New("mallory")));
        await mallory.ReceiveUntilAsync(frame => frame.Contains("\"target\":\"Ready\"", StringComparison.Ordinal), "mallory's Ready");

        // One read holding both: SignalR used to stop at the skipped frame until the client's next
        // bytes came (its 15 s ping), so the call behind it waited that long for an answer.
        await mallory.SendRawAsync($"{{\"type\":99}}{RawSignalRClient.RecordSeparator}{{\"type\":1,\"invocationId\":\"1\",\"target\":\"GetPresence\",\"arguments\":[[]]}}{RawSignalRClient.RecordSeparator}");

        var answer = await mallory.ReceiveUntilAsync(frame => frame.Contains("\"invocationId\":\"1\"", StringComparison.Ordinal), "the answer to the call behind the skipped frame", TimeSpan.FromSeconds(5));
        Assert.Contains("\"result\":[]", answer, StringComparison.Ordinal);
    }

    private static readonly string[] ProtocolErrorKinds = ["unknown_method", "bad_arguments", "malformed_frame"];

    /// <summary>Alice still calls and bob, on the same gateway, still receives.</summary>
    private static async Task AssertBothStillWorkAsync(ChatTestClient alice, ChatTestClient bob)
    {
        var channel = await alice.CreateChannelAsync("still working");
        await bob.JoinChannelAsync(channel.Id);
        var sent = await alice.SendMessageAsync(channel.Id, "still here");
        Assert.Equal(sent.Id, (await bob.NextMessageCreatedAsync()).Id);
    }

    private async Task<double> ProtocolErrorsAsync(string kind) =>
        PrometheusText.Sum(await PrometheusText.ScrapeAsync(Http, Cluster.Gateways[0].Url), "cryb_gateway_protocol_errors_total", ("kind", kind));

    private async Task WaitForCountAsync(string kind, double expected)
    {
        // The exporter may serve a cached scrape for a moment: wait for the count, then check it is exact.
        await Eventually.WaitUntilAsync(async () => await ProtocolErrorsAsync(kind) >= expected, $"{expected} protocol errors of kind {kind}");
        Assert.Equal(expected, await ProtocolErrorsAsync(kind));
    }
}
