using System.Buffers;
using System.IO.Pipelines;
using Cryb.Gateway.Fanout;
using Cryb.Gateway.Hosting;
using Cryb.Tests.Infrastructure;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cryb.Tests.Integration;

/// <summary>
/// The outbox on SignalR's real <see cref="HubConnectionContext"/> over an in-memory transport
/// whose buffer fills at 1 KB, so a client that does not read is a pipe nobody reads.
/// </summary>
public sealed class ConnectionOutboxTests
{
    [Fact]
    public async Task Events_queued_behind_a_full_transport_go_out_in_order_once_the_client_reads_again()
    {
        var transport = new Transport();
        var slow = new List<SlowConsumerTrigger>();
        var outbox = transport.Outbox(maxBufferBytes: 1024 * 1024, TimeSpan.FromSeconds(30), slow);

        for (var i = 1; i <= 100; i++)
        {
            outbox.Enqueue(Event(i)); // returns at once although the transport is full after a few
        }

        var seqs = await transport.ReadSeqsAsync(100);

        Assert.Equal(Enumerable.Range(1, 100), seqs);
        Assert.Empty(slow);
    }

    [Fact]
    public async Task An_outbox_holds_a_queue_only_while_events_wait_behind_a_write()
    {
        var transport = new Transport();
        var outbox = transport.Outbox(maxBufferBytes: 1024 * 1024, TimeSpan.FromSeconds(30), []);

        outbox.Enqueue(Event(1)); // the transport takes it at once: nothing waits
        Assert.False(outbox.HasQueue);
        await transport.ReadSeqsAsync(1);

        for (var i = 2; i <= 100; i++)
        {
            outbox.Enqueue(Event(i));
        }

        Assert.True(outbox.HasQueue); // the transport filled up: the rest wait in the outbox
        Assert.Equal(Enumerable.Range(2, 99), await transport.ReadSeqsAsync(99));
        // Drained: the queue (grown to hold ~100 events) is let go, so an idle connection costs none.
        // The outbox lets it go after the client's last read, on its own, and raises nothing: polled.
        await Eventually.WaitUntilAsync(() => Task.FromResult(!outbox.HasQueue), "the drained outbox to drop its queue", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task WhenDrained_completes_only_once_everything_queued_is_written_or_the_connection_is_closed()
    {
        var transport = new Transport();
        var outbox = transport.Outbox(maxBufferBytes: 1024 * 1024, TimeSpan.FromSeconds(30), []);
        Assert.True(outbox.WhenDrainedAsync().IsCompleted); // nothing queued

        for (var i = 1; i <= 100; i++)
        {
            outbox.Enqueue(Event(i));
        }

        // The client reads nothing yet: a member list's next chunk would wait here.
        var drained = outbox.WhenDrainedAsync();
        Assert.False(drained.IsCompleted);
        Assert.Equal(Enumerable.Range(1, 100), await transport.ReadSeqsAsync(100));
        await drained.WithinAsync(TimeSpan.FromSeconds(5), "the outbox to drain after the client read everything");

        outbox.Enqueue(Event(101));
        for (var i = 102; i <= 200; i++)
        {
            outbox.Enqueue(Event(i));
        }

        var closed = outbox.WhenDrainedAsync();
        Assert.False(closed.IsCompleted);
        outbox.Close(); // a sender waiting on a connection that went away is let go
        await closed.WithinAsync(TimeSpan.FromSeconds(5), "the closed outbox to let its waiter go");
    }

    [Fact]
    public async Task An_event_that_does_not_fit_closes_the_connection_once_and_nothing_after_it_is_queued()
    {
        var transport = new Transport();
        var slow = new List<SlowConsumerTrigger>();
        var outbox = transport.Outbox(maxBufferBytes: 8 * 1024, TimeSpan.FromSeconds(30), slow);

        for (var i = 1; i <= 100; i++)
        {
            outbox.Enqueue(Event(i));
        }

        Assert.Equal([SlowConsumerTrigger.BufferFull], slow);
        // What was accepted before the overflow is a gapless prefix; nothing after it follows.
        var seqs = await transport.ReadAllAsync();
        Assert.InRange(seqs.Count, 2, 99);
        Assert.Equal(Enumerable.Range(1, seqs.Count), seqs);
    }

    [Fact]
    public async Task A_write_larger_than_the_limit_does_not_count_against_the_events_that_queue_behind_it()
    {
        var transport = new Transport();
        var slow = new List<SlowConsumerTrigger>();
        var outbox = transport.Outbox(maxBufferBytes: 8 * 1024, TimeSpan.FromSeconds(30), slow);

        // A Ready of many servers: 36 KB, four times the limit, taken because the outbox is idle and
        // written as fast as the client reads it; events come meanwhile, 6 KB in all.
        outbox.Enqueue(Event(1, paddings: 1000));
        for (var i = 2; i <= 21; i++)
        {
            outbox.Enqueue(Event(i));
        }

        Assert.Empty(slow);
        Assert.Equal(Enumerable.Range(1, 21), await transport.ReadSeqsAsync(21));
        // The limit still holds for what queues: 9 KB behind a write the client does not read.
        outbox.Enqueue(Event(22, paddings: 1000));
        for (var i = 23; i <= 52; i++)
        {
            outbox.Enqueue(Event(i));
        }

        Assert.Equal([SlowConsumerTrigger.BufferFull], slow);
    }

    [Fact]
    public async Task A_write_that_waits_out_the_timeout_closes_the_connection_once()
    {
        var clock = new FakeTimeProvider();
        var transport = new Transport();
        var slow = new List<SlowConsumerTrigger>();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var timeout = TimeSpan.FromSeconds(30);
        var outbox = transport.Outbox(maxBufferBytes: 1024 * 1024, timeout, slow, clock, onSlow: () => closed.TrySetResult());

        for (var i = 1; i <= 20; i++)
        {
            outbox.Enqueue(Event(i));
        }

        clock.Advance(timeout - TimeSpan.FromMilliseconds(1));
        Assert.Empty(slow); // not before the timeout
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await closed.Task.WithinAsync(TimeSpan.FromSeconds(5), "the write stalled for the whole timeout to close the connection");

        // Closed: what comes after neither queues nor waits out a timeout of its own.
        outbox.Enqueue(Event(21));
        clock.Advance(timeout * 2);
        lock (slow)
        {
            Assert.Equal([SlowConsumerTrigger.Stalled], slow);
        }

        Assert.False(outbox.HasQueue);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("messagepack")]
    public async Task A_connection_that_falls_behind_gets_what_waited_for_it_in_order_and_whole_in_fewer_writes_than_events(string protocol)
    {
        var transport = new Transport(protocol);
        var slow = new List<SlowConsumerTrigger>();
        var outbox = transport.Outbox(maxBufferBytes: 1024 * 1024, TimeSpan.FromSeconds(30), slow);

        for (var i = 1; i <= 200; i++)
        {
            outbox.Enqueue(Event(i));
        }

        // Each frame parsed by the protocol, its padding checked: nothing cut, merged or reordered.
        Assert.Equal(Enumerable.Range(1, 200), await transport.ReadSeqsAsync(200));
        Assert.Empty(slow);
        // A few events go out one by one until the transport is full; the rest wait and go out
        // together, up to 32 KB (about a hundred of these events) per write.
        Assert.InRange(transport.Writes, 2, 20);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("messagepack")]
    public async Task Events_given_together_to_an_idle_outbox_go_out_in_one_write_in_order_and_behind_a_write_after_what_waited(string protocol)
    {
        var transport = new Transport(protocol);
        var outbox = transport.Outbox(maxBufferBytes: 1024 * 1024, TimeSpan.FromSeconds(30), []);

        // Idle: a message and its notification in one write, whole and in order.
        outbox.Enqueue(Event(1), Event(2));
        Assert.Equal([1, 2], await transport.ReadSeqsAsync(2));
        Assert.Equal(1, transport.Writes);

        // Behind a full transport: after everything queued before them, still in order.
        for (var i = 3; i <= 50; i++)
        {
            outbox.Enqueue(Event(i));
        }

        outbox.Enqueue(Event(51), Event(52));
        Assert.Equal(Enumerable.Range(3, 50), await transport.ReadSeqsAsync(50));
    }

    private const string Padding = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>A MessageCreated-like event of about 300 bytes (<paramref name="paddings"/> × 36 + 50): its seq, and padding the reader checks.</summary>
    private static SerializedHubMessage Event(int seq, int paddings = 8) =>
        new(new InvocationMessage("MessageCreated", [seq, string.Concat(Enumerable.Repeat(Padding, paddings))]));

    /// <summary>The server end of a connection whose outgoing pipe pauses its writer at 1 KB.</summary>
    private sealed class Transport
    {
        private readonly Pipe _toClient = new(new PipeOptions(pauseWriterThreshold: 1024, resumeWriterThreshold: 512, useSynchronizationContext: false));
        private readonly Pipe _fromClient = new();
        private readonly CountingConnection _connection;
        private readonly IHubProtocol _protocol;

        public Transport(string protocol = "json")
        {
            _protocol = protocol == "json" ? new JsonHubProtocol() : new MessagePackHubProtocol();
            var context = new DefaultConnectionContext("test", new DuplexPipe(_fromClient.Reader, _toClient.Writer), new DuplexPipe(_toClient.Reader, _fromClient.Writer));
            _connection = new CountingConnection(context) { Protocol = _protocol };
        }

        /// <summary>Writes the outbox made to the connection (one per event, or one per coalesced block).</summary>
        public int Writes => _connection.Writes;

        public ConnectionOutbox Outbox(int maxBufferBytes, TimeSpan timeout, List<SlowConsumerTrigger> slow, TimeProvider? time = null, Action? onSlow = null) =>
            new(_connection, new SlowConsumerOptions { MaxBufferBytes = maxBufferBytes, Timeout = timeout }, time ?? TimeProvider.System, (_, trigger) =>
            {
                lock (slow)
                {
                    slow.Add(trigger);
                }

                onSlow?.Invoke();
            });

        /// <summary>The client reads again: the seqs of the next <paramref name="count"/> events, in arrival order.</summary>
        public async Task<List<int>> ReadSeqsAsync(int count)
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var seqs = new List<int>();
            while (seqs.Count < count)
            {
                var result = await _toClient.Reader.ReadAsync(cancel.Token);
                var buffer = result.Buffer;
                seqs.AddRange(Parse(ref buffer));
                _toClient.Reader.AdvanceTo(buffer.Start, buffer.End);
            }

            return seqs;
        }

        /// <summary>Everything written so far and whatever follows within a moment.</summary>
        public async Task<List<int>> ReadAllAsync()
        {
            var seqs = new List<int>();
            while (true)
            {
                using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
                ReadResult result;
                try
                {
                    result = await _toClient.Reader.ReadAsync(quiet.Token);
                }
                catch (OperationCanceledException)
                {
                    return seqs;
                }

                var buffer = result.Buffer;
                seqs.AddRange(Parse(ref buffer));
                _toClient.Reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }

        private List<int> Parse(ref ReadOnlySequence<byte> buffer)
        {
            var seqs = new List<int>();
            while (_protocol.TryParseMessage(ref buffer, EventBinder.Instance, out var message))
            {
                var invocation = Assert.IsType<InvocationMessage>(message);
                Assert.Equal("MessageCreated", invocation.Target);
                var padding = Assert.IsType<string>(invocation.Arguments[1]);
                Assert.True(padding.Length > 0 && padding.Replace(Padding, "").Length == 0, "the padding arrived whole");
                seqs.Add((int)invocation.Arguments[0]!);
            }

            return seqs;
        }
    }

    /// <summary>SignalR's connection, counting the writes of serialized messages made to it.</summary>
    private sealed class CountingConnection(ConnectionContext context) : HubConnectionContext(context, new HubConnectionContextOptions
    {
        KeepAliveInterval = TimeSpan.FromMinutes(1),
        ClientTimeoutInterval = TimeSpan.FromMinutes(1),
    }, NullLoggerFactory.Instance)
    {
        private int _writes;

        public int Writes => Volatile.Read(ref _writes);

        public override ValueTask WriteAsync(SerializedHubMessage message, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _writes);
            return base.WriteAsync(message, cancellationToken);
        }
    }

    /// <summary>What the client knows of the test's one event: its name and argument types.</summary>
    private sealed class EventBinder : IInvocationBinder
    {
        public static readonly EventBinder Instance = new();

        public IReadOnlyList<Type> GetParameterTypes(string methodName) => [typeof(int), typeof(string)];
        public Type GetReturnType(string invocationId) => typeof(object);
        public Type GetStreamItemType(string streamId) => typeof(object);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;
        public PipeWriter Output => output;
    }
}
