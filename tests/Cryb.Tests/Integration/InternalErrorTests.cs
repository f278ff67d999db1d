using Cryb.Errors;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// A defect is reported as a defect: an exception inside a grain that is not a storage failure
/// reaches the client as <c>internal_error</c> (never as <c>storage_unavailable</c>, which would
/// send it retrying against an outage that is not there), is logged by the gateway with its stack,
/// and is counted as <c>failed</c> in <c>cryb_hub_invocations_total</c>.
/// </summary>
public sealed class InternalErrorTests(TestServers servers, SingleGatewayClusterFixture fixture) : IClassFixture<SingleGatewayClusterFixture>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

    private ProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_defect_inside_the_channel_grain_reaches_the_client_as_internal_error_logged_with_its_stack_and_counted_as_failed()
    {
        await using var alice = await Cluster.ConnectAsync(0, "alice");
        var channel = await alice.CreateChannelAsync("defect");
        var quoted = await alice.SendMessageAsync(channel.Id, "to be quoted");
        // Quoting it throws InvalidCastException inside the grain's send; PostgreSQL answers fine.
        await servers.CorruptMentionsAsync(quoted.Id);
        var failedBefore = await SendMessageInvocationsAsync("failed");

        await Refusals.AssertHubRefusesAsync(ErrorCodes.Internal, () => alice.SendMessageAsync(channel.Id, "a reply", replyToId: quoted.Id));

        // Only that call failed: the channel took no seq for it and goes on.
        Assert.Equal(2, (await alice.SendMessageAsync(channel.Id, "still here")).Seq);
        await Eventually.WaitUntilAsync(async () => await SendMessageInvocationsAsync("failed") >= failedBefore + 1, "the failed send to be counted");
        Assert.Equal(failedBefore + 1, await SendMessageInvocationsAsync("failed"));
        string? logged = null;
        await Eventually.WaitUntilAsync(() =>
        {
            logged = LoggedFailures.In(Cluster.Gateways[0]).LastOrDefault(entry => entry.Contains("SendMessage failed", StringComparison.Ordinal));
            return Task.FromResult(logged is not null);
        }, "the gateway to log the failed send");
        Assert.Contains("InvalidCastException", logged, StringComparison.Ordinal);
        Assert.Contains("   at ", logged, StringComparison.Ordinal); // the stack
    }

    private async Task<double> SendMessageInvocationsAsync(string outcome) =>
        PrometheusText.Sum(await PrometheusText.ScrapeAsync(Http, Cluster.Gateways[0].Url), "cryb_hub_invocations_total", ("method", "SendMessage"), ("outcome", outcome));
}
