using System.Diagnostics;
using Cryb.Gateway.Hosting;
using Cryb.Messages;
using Cryb.Tests.Fuzz;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// A protocol fuzzer against one gateway (issue 23): more than ten thousand mutated and random
/// frames, JSON and MessagePack, from several connections at once, while two users chat on the
/// same gateway. Every frame must be refused with a stable error, or close its connection, or get
/// no answer where the protocol gives none (<see cref="FrameFactory"/> says which for each);
/// no process may exit or log an error, the chat must see every message in order, and the
/// gateway's memory must come back down. The counts of a run are in docs/reliability.md.
/// </summary>
public sealed class ProtocolFuzzTests(SingleGatewayClusterFixture fixture, ITestOutputHelper output) : IClassFixture<SingleGatewayClusterFixture>
{
    /// <summary>The default seed, so the suite sends the same frames every run; <c>CRYB_FUZZ_SEED</c> explores others.</summary>
    private const int DefaultSeed = 23;

    private const int FuzzConnections = 6;
    private const int WarmUpFramesPerConnection = 100;
    private const int FramesPerConnection = 1_600;
    private const int WarmUpHandshakes = 40;
    private const int Handshakes = 300;

    /// <summary>
    /// How far the gateway's resident memory may stay above its level after the warm-up. The
    /// warm-up sends every class of frame, so code, buffer pools and thread-pool threads are
    /// already paid for; what is left is the collector's choice of when to give memory back, a
    /// few MB on this machine. 48 MB is far above that, and below what a leak of what the fuzz
    /// churns through would leave: about 1,000 connections opened and closed (some 50 KB each
    /// while open, docs/performance.md) and 10,000 frames of up to 90 KB.
    /// </summary>
    private const long MemoryBound = 48L * 1024 * 1024;

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

    private ProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Bad_frames_are_refused_or_close_their_connection_and_a_chat_on_the_same_gateway_carries_on()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CRYB_FUZZ_SEED"), out var chosen) ? chosen : DefaultSeed;
        output.WriteLine($"seed {seed} (CRYB_FUZZ_SEED={seed} sends the same frames again)");
        var gateway = Cluster.Gateways[0];
        var protocolErrorsBefore = await ProtocolErrorsAsync();
        var tally = new FuzzTally();
        var clock = Stopwatch.StartNew();

        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await Cluster.ConnectAsync(0, TestUsers.New("bob"));
        var chat = await alice.CreateChannelAsync("control");
        await bob.JoinChannelAsync(chat.Id);

        var nowhere = TestUsers.New("nowhere"); // a channel id nobody created
        var workers = new List<FuzzWorker>();
        for (var i = 0; i < FuzzConnections; i++)
        {
            var user = TestUsers.New($"fuzz{i}");
            string ownChannel;
            await using (var owner = await Cluster.ConnectAsync(0, user))
            {
                ownChannel = (await owner.CreateChannelAsync($"fuzz {i}")).Id;
            }

            IFuzzProtocol protocol = i % 2 == 0 ? new JsonFuzzProtocol() : new MessagePackFuzzProtocol();
            var factory = new FrameFactory(protocol, new Random(seed + 7919 * (i + 1)), ownChannel, nowhere);
            workers.Add(new FuzzWorker(gateway.Url, await Cluster.TokenAsync(user), protocol, factory, tally));
        }

        var handshakes = new HandshakeFuzzer(gateway.Url, await Cluster.TokenAsync(TestUsers.New("handshakes")), new Random(seed), tally);

        // Warm-up: every class once over, then the memory the gateway settles at with only the chat connected.
        await Task.WhenAll(workers.Select(worker => worker.RunAsync(WarmUpFramesPerConnection)).Append(handshakes.RunAsync(WarmUpHandshakes)));
        var baseline = await SettledMemoryAsync(workers);
        var warmUp = clock.Elapsed;

        var fuzz = Task.WhenAll(workers.Select(worker => worker.RunAsync(FramesPerConnection)).Append(handshakes.RunAsync(Handshakes)));
        var sent = await ChatUntilAsync(alice, chat.Id, fuzz);
        await fuzz;
        var fuzzTime = clock.Elapsed - warmUp;
        var settled = await SettledMemoryAsync(workers);

        output.WriteLine($"{tally.Frames} frames ({tally.CountProtocol("json")} JSON, {tally.CountProtocol("messagepack")} MessagePack, " +
            $"{tally.CountProtocol(HandshakeFuzzer.Protocol)} handshakes) on {tally.Connections} fuzz connections ({tally.ConnectRetries} reopened after too_many_connections), " +
            $"{tally.Barriers} barrier calls; warm-up {warmUp.TotalSeconds:F1} s, fuzz {fuzzTime.TotalSeconds:F1} s");
        output.WriteLine(tally.Table());
        output.WriteLine($"control chat: {sent.Count} messages");
        output.WriteLine($"gateway resident memory: {Mb(baseline)} after the warm-up, {Mb(settled)} after the fuzz");

        Assert.True(tally.Failures.Count == 0, $"{tally.Failures.Count} frames had an outcome their class does not allow:\n{string.Join('\n', tally.Failures.Take(40))}");
        Assert.True(tally.Frames >= 10_000, $"only {tally.Frames} frames were sent");
        Assert.All(Cluster.Silos.Concat(Cluster.Gateways), process => Assert.True(process.IsRunning, $"{process.Name} exited:\n{process.LogTail()}"));
        await AssertChatSawEverythingInOrderAsync(bob, sent);
        await AssertProtocolErrorsCountedAsync(protocolErrorsBefore, tally);
        Assert.True(settled <= baseline + MemoryBound, $"the gateway settled at {Mb(settled)}, over {Mb(baseline)} after the warm-up + {Mb(MemoryBound)}");
        var logged = Cluster.Silos.Concat(Cluster.Gateways).SelectMany(LoggedFailures.In).ToArray();
        Assert.True(logged.Length == 0, $"{logged.Length} errors logged:\n{string.Join("\n\n", logged.Take(10))}");
    }

    /// <summary>Alice writes one message after another until the fuzz is over; every one is acknowledged.</summary>
    private static async Task<List<ChatMessage>> ChatUntilAsync(ChatTestClient alice, string channelId, Task fuzz)
    {
        var sent = new List<ChatMessage>();
        while (!fuzz.IsCompleted || sent.Count < 100)
        {
            sent.Add(await alice.SendMessageAsync(channelId, $"control {sent.Count + 1}", nonce: Guid.NewGuid().ToString("N")));
            await Task.Delay(20);
        }

        return sent;
    }

    /// <summary>Bob got each message once, in the order sent, at seqs 1, 2, 3, ...</summary>
    private static async Task AssertChatSawEverythingInOrderAsync(ChatTestClient bob, List<ChatMessage> sent)
    {
        var received = new List<ChatMessage>();
        foreach (var _ in sent)
        {
            received.Add(await bob.NextMessageCreatedAsync());
        }

        Assert.Equal(sent.Select(message => message.Id), received.Select(message => message.Id));
        Assert.Equal(Enumerable.Range(1, sent.Count).Select(seq => (long)seq), received.Select(message => message.Seq));
        Assert.True(bob.HasNoPendingMessages);
    }

    /// <summary>The gateway counted exactly the frames the fuzzer expects of each kind.</summary>
    private async Task AssertProtocolErrorsCountedAsync(IReadOnlyDictionary<string, double> before, FuzzTally tally)
    {
        var expected = ProtocolErrorKinds.All.ToDictionary(kind => kind, kind => before[kind] + tally.ExpectedProtocolErrors.GetValueOrDefault(kind));
        // The exporter may serve a scrape cached for a moment: wait for the counts, then hold them to exact.
        await Eventually.WaitUntilAsync(async () => (await ProtocolErrorsAsync()).All(count => count.Value >= expected[count.Key]), "the protocol errors to be counted");
        Assert.Equal(expected, await ProtocolErrorsAsync());
    }

    private async Task<IReadOnlyDictionary<string, double>> ProtocolErrorsAsync()
    {
        var scrape = await PrometheusText.ScrapeAsync(Http, Cluster.Gateways[0].Url);
        return ProtocolErrorKinds.All.ToDictionary(kind => kind, kind => PrometheusText.Sum(scrape, "cryb_gateway_protocol_errors_total", ("kind", kind)));
    }

    /// <summary>Closes every fuzz connection, waits until the gateway has let them go (two chat connections left), and reads its settled memory.</summary>
    private async Task<long> SettledMemoryAsync(IEnumerable<FuzzWorker> workers)
    {
        foreach (var worker in workers)
        {
            await worker.CloseAsync();
        }

        await Eventually.WaitUntilAsync(
            async () => PrometheusText.Sum(await PrometheusText.ScrapeAsync(Http, Cluster.Gateways[0].Url), "cryb_gateway_connections") == 2,
            "the gateway to let the fuzz connections go");
        return await ProcessMemory.SettledResidentBytesAsync(Cluster.Gateways[0].ProcessId, TimeSpan.FromSeconds(2));
    }

    private static string Mb(long bytes) => $"{bytes / (1024.0 * 1024):F1} MB";
}
