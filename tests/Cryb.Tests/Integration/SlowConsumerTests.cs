using System.Diagnostics;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// A client that stops reading, in a busy channel, next to one that reads: the reader gets every
/// event in order and on time, and the gateway closes the stalled connection as slow_consumer.
/// </summary>
public sealed class SlowConsumerTests(TestServers servers)
{
    /// <summary>
    /// About 6 MB for each recipient: well over what the kernel buffers for one loopback socket (about
    /// 3 MB measured here: its send buffer grows with the loopback MTU) on top of SignalR's and
    /// Kestrel's 64 KB pipes and the 256 KB outbox.
    /// </summary>
    private const int Messages = 500;

    /// <summary>Alice's devices sending at once, so the burst is fast enough to be a burst.</summary>
    private const int Senders = 2;
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

    [Fact]
    public async Task A_client_that_stops_reading_overflows_its_buffer_and_is_closed_while_a_reader_gets_every_event_in_order_at_once()
    {
        var timeout = TimeSpan.FromSeconds(5);
        await using var cluster = await ProcessCluster.StartAsync(servers, silos: 1, gateways: 1, settings: new Dictionary<string, string>
        {
            ["Gateway__SlowConsumer__Timeout"] = timeout.ToString(),
        });

        var run = await RunBusyChannelAsync(cluster, "buffer_full", timeout);

        // Megabytes went to a client with a 256 KB buffer that reads nothing: it overflowed before
        // a write could wait out the timeout.
        Assert.True(run.ClosedAfterBurstEnd < timeout, $"closed {run.ClosedAfterBurstEnd.TotalSeconds:F1} s after the burst, not on overflow");
        Assert.True(run.MaxReaderLatency < timeout, $"the reader waited up to {run.MaxReaderLatency.TotalSeconds:F1} s for an event");
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_closed_once_a_write_waits_out_the_timeout_while_a_reader_gets_every_event_in_order_at_once()
    {
        // As in the other test: long enough that a loaded machine's pauses do not look like waiting on slowpoke.
        var timeout = TimeSpan.FromSeconds(5);
        await using var cluster = await ProcessCluster.StartAsync(servers, silos: 1, gateways: 1, settings: new Dictionary<string, string>
        {
            // A buffer it cannot overflow: only the timeout can close it.
            ["Gateway__SlowConsumer__MaxBufferBytes"] = (64 * 1024 * 1024).ToString(),
            ["Gateway__SlowConsumer__Timeout"] = timeout.ToString(),
        });

        var run = await RunBusyChannelAsync(cluster, "stalled", timeout);

        // The stall cannot start before the burst, and starts once the transport's buffers are full.
        Assert.True(run.ClosedAfterBurstStart >= timeout - TimeSpan.FromMilliseconds(200), $"closed {run.ClosedAfterBurstStart.TotalSeconds:F1} s after the burst began, before the {timeout.TotalSeconds} s timeout");
        // Without the outbox the reader waits as long as the stalled write, until SignalR's 10 s transport
        // send timeout drops slowpoke (measured: 8 to 10 s). Any wait on slowpoke would show as at least the timeout.
        Assert.True(run.MaxReaderLatency < timeout, $"the reader waited up to {run.MaxReaderLatency.TotalSeconds:F1} s for an event");
    }

    /// <summary>
    /// Alice sends <see cref="Messages"/> messages of 4000 characters to a channel where bob reads on
    /// the same gateway and slowpoke, on a raw WebSocket, reads only up to <c>Ready</c>.
    /// </summary>
    private static async Task<BusyChannelRun> RunBusyChannelAsync(ProcessCluster cluster, string trigger, TimeSpan timeout)
    {
        var gateway = cluster.Gateways[0].Url;
        var alices = await Task.WhenAll(Enumerable.Range(0, Senders).Select(_ => cluster.ConnectAsync(0, "alice")));
        var alice = alices[0];
        await using var bob = await cluster.ConnectAsync(0, "bob");
        var channel = await alice.CreateChannelAsync("busy");
        await bob.JoinChannelAsync(channel.Id);
        await using (var joining = await cluster.ConnectAsync(0, "slowpoke"))
        {
            await joining.JoinChannelAsync(channel.Id);
        }

        await using var slowpoke = await RawSignalRClient.ConnectAsync(gateway, await cluster.TokenAsync("slowpoke"));
        await slowpoke.ReceiveUntilAsync(frame => frame.Contains("\"target\":\"Ready\"", StringComparison.Ordinal), "slowpoke's Ready");
        Assert.Equal(0, await SlowConsumersAsync(gateway, trigger));
        // From here on slowpoke reads nothing.

        var sentAt = new long[Messages + 1];
        var content = new string[Messages + 1];
        var reader = Task.Run(async () =>
        {
            var arrivals = new List<(long Seq, long At)>(Messages);
            for (var i = 0; i < Messages; i++)
            {
                // Long enough to measure how late events come without the fix, instead of failing blind.
                var message = await bob.NextMessageCreatedAsync(TimeSpan.FromSeconds(60));
                arrivals.Add((message.Seq, Stopwatch.GetTimestamp()));
                content[message.Seq] = message.Content;
            }

            return arrivals;
        });
        var closed = Task.Run(async () =>
        {
            await Eventually.WaitUntilAsync(async () => await SlowConsumersAsync(gateway, trigger) == 1,
                $"the gateway to close slowpoke as slow_consumer ({trigger})", timeout + TimeSpan.FromSeconds(30));
            return Stopwatch.GetTimestamp();
        });

        var burstStart = Stopwatch.GetTimestamp();
        // SignalR writes JSON with relaxed escaping, so the widest content is in 3-byte UTF-8 characters:
        // 4000 of them make a 12 KB event.
        var padding = new string('€', MessageLimits.MaxContentLength - 6);
        await Task.WhenAll(alices.Select(async (device, d) =>
        {
            for (var i = 1 + d; i <= Messages; i += Senders)
            {
                sentAt[i] = Stopwatch.GetTimestamp();
                await device.SendMessageAsync(channel.Id, $"{i:D5} {padding}");
            }
        }));

        var burstEnd = Stopwatch.GetTimestamp();
        var arrivals = await reader;

        // Bob: every message, gapless and in seq order, each soon after it was sent.
        Assert.Equal(Enumerable.Range(1, Messages).Select(i => (long)i), arrivals.Select(a => a.Seq));
        // Latency from when its sender started sending it, found by the number at the start of the content.
        var latencies = arrivals.Select(a => Stopwatch.GetElapsedTime(sentAt[int.Parse(content[a.Seq].AsSpan(0, 5))], a.At)).OrderBy(l => l).ToArray();
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine(
            $"{Messages} messages of {MessageLimits.MaxContentLength} characters sent in {Stopwatch.GetElapsedTime(burstStart, burstEnd).TotalMilliseconds:F0} ms; " +
            $"reader latency median {latencies[latencies.Length / 2].TotalMilliseconds:F0} ms, p99 {latencies[latencies.Length * 99 / 100].TotalMilliseconds:F0} ms, max {latencies[^1].TotalMilliseconds:F0} ms");
        var closedAt = await closed;

        // Slowpoke: closed by the server, forgotten by the gateway, counted once.
        Assert.True(await slowpoke.WaitUntilClosedAsync(TimeSpan.FromSeconds(10)), "slowpoke's connection is still open");
        await Eventually.WaitUntilAsync(
            async () => PrometheusText.Sum(await PrometheusText.ScrapeAsync(Http, gateway), "cryb_gateway_connections") == Senders + 1,
            "the gateway to forget slowpoke's connection");
        var metrics = await PrometheusText.ScrapeAsync(Http, gateway);
        Assert.Equal(1, PrometheusText.Sum(metrics, "cryb_gateway_slow_consumers_disconnected_total"));
        Assert.Contains("slow_consumer", cluster.Gateways[0].LogTail(200), StringComparison.Ordinal);

        foreach (var device in alices)
        {
            await device.DisposeAsync();
        }

        var run = new BusyChannelRun(
            Stopwatch.GetElapsedTime(burstStart, burstEnd),
            Stopwatch.GetElapsedTime(burstStart, closedAt),
            closedAt > burstEnd ? Stopwatch.GetElapsedTime(burstEnd, closedAt) : TimeSpan.Zero,
            latencies[latencies.Length / 2],
            latencies[^1]);
        output?.WriteLine(
            $"slow consumer ({trigger}) closed {run.ClosedAfterBurstStart.TotalMilliseconds:F0} ms after the burst began, {run.ClosedAfterBurstEnd.TotalMilliseconds:F0} ms after it ended");
        return run;
    }

    private static async Task<double> SlowConsumersAsync(string gateway, string trigger) =>
        PrometheusText.Sum(await PrometheusText.ScrapeAsync(Http, gateway), "cryb_gateway_slow_consumers_disconnected_total", ("trigger", trigger));

    private sealed record BusyChannelRun(
        TimeSpan Burst, TimeSpan ClosedAfterBurstStart, TimeSpan ClosedAfterBurstEnd, TimeSpan MedianReaderLatency, TimeSpan MaxReaderLatency);
}
