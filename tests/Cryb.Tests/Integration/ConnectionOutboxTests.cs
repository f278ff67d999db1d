using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Cryb.Gateway.Fanout;
using Cryb.Gateway.Hosting;
using Cryb.Tests.Infrastructure;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

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
        await Eventually.WaitUntilAsync(() => Task.FromResult(!outbox.HasQueue), "the drained outbox to drop its queue", TimeSpan.FromSeconds(5));
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
    public async Task A_write_that_waits_out_the_timeout_closes_the_connection_once()
    {
        var transport = new Transport();
        var slow = new List<SlowConsumerTrigger>();
        var outbox = transport.Outbox(maxBufferBytes: 1024 * 1024, TimeSpan.FromMilliseconds(300), slow);

        for (var i = 1; i <= 20; i++)
        {
            outbox.Enqueue(Event(i));
        }

        Assert.Empty(slow); // not before the timeout
        await Eventually.WaitUntilAsync(() => Task.FromResult(slow.Count > 0), "the stalled write to time out", TimeSpan.FromSeconds(5));
        await Task.Delay(500, TestContext.Current.CancellationToken);
        lock (slow)
        {
            Assert.Equal([SlowConsumerTrigger.Stalled], slow);
        }
    }

    /// <summary>A MessageCreated-like event of about 300 bytes whose only argument is its seq.</summary>
    private static SerializedHubMessage Event(int seq) =>
        new(new InvocationMessage("MessageCreated", [seq, new string('x', 300)]));

    /// <summary>The server end of a connection whose outgoing pipe pauses its writer at 1 KB.</summary>
    private sealed class Transport
    {
        private readonly Pipe _toClient = new(new PipeOptions(pauseWriterThreshold: 1024, resumeWriterThreshold: 512, useSynchronizationContext: false));
        private readonly Pipe _fromClient = new();
        private readonly HubConnectionContext _connection;
        private readonly JsonHubProtocol _protocol = new();

        public Transport()
        {
            var context = new DefaultConnectionContext("test", new DuplexPipe(_fromClient.Reader, _toClient.Writer), new DuplexPipe(_toClient.Reader, _fromClient.Writer));
            _connection = new HubConnectionContext(context, new HubConnectionContextOptions
            {
                KeepAliveInterval = TimeSpan.FromMinutes(1),
                ClientTimeoutInterval = TimeSpan.FromMinutes(1),
            }, NullLoggerFactory.Instance)
            {
                Protocol = _protocol,
            };
        }

        public ConnectionOutbox Outbox(int maxBufferBytes, TimeSpan timeout, List<SlowConsumerTrigger> slow) =>
            new(_connection, new SlowConsumerOptions { MaxBufferBytes = maxBufferBytes, Timeout = timeout }, TimeProvider.System, (_, trigger) =>
            {
                lock (slow)
                {
                    slow.Add(trigger);
                }
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

        private static List<int> Parse(ref ReadOnlySequence<byte> buffer)
        {
            var seqs = new List<int>();
            while (buffer.PositionOf((byte)RawSignalRClient.RecordSeparator) is { } end)
            {
                var frame = Encoding.UTF8.GetString(buffer.Slice(0, end));
                buffer = buffer.Slice(buffer.GetPosition(1, end));
                var arguments = frame.IndexOf("\"arguments\":[", StringComparison.Ordinal) + "\"arguments\":[".Length;
                seqs.Add(int.Parse(frame.AsSpan(arguments, frame.IndexOf(',', arguments) - arguments)));
            }

            return seqs;
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;
        public PipeWriter Output => output;
    }
}
