using System.Buffers;
using Cryb.Gateway.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Cryb.Gateway.Fanout;

/// <summary>Why a connection was closed as a slow consumer; the metric's <c>trigger</c> tag.</summary>
public enum SlowConsumerTrigger
{
    /// <summary>An event did not fit in <see cref="SlowConsumerOptions.MaxBufferBytes"/>.</summary>
    BufferFull,

    /// <summary>A write waited <see cref="SlowConsumerOptions.Timeout"/> on a full transport buffer.</summary>
    Stalled,
}

/// <summary>
/// One connection's bounded queue of outgoing events and the single writer that drains it in order.
/// Senders only enqueue, so a connection that stops reading delays nobody else: its events wait here,
/// behind its own blocked write, until it reads again or breaks a limit and is closed. A connection
/// that falls behind gets what waited for it in one write: the events' frames, already serialized in
/// its protocol, side by side in one pooled buffer (both hub protocols delimit their frames, JSON
/// with a record separator and MessagePack with a length prefix, so the client reads them one by one).
/// </summary>
/// <remarks>
/// SignalR's own <c>HubConnectionContext.WriteAsync</c> completes only when the connection's outgoing
/// pipe is below its pause threshold (<c>HttpConnectionDispatcherOptions.TransportMaxBufferSize</c>,
/// 64 KB); past that, a group send awaits the slowest member, and every later send to that connection
/// queues on its write lock without bound, until SignalR's <c>TransportSendTimeout</c> (10 s) drops it.
/// Measured before this class existed: one client that stopped reading delayed every other member of
/// its channel on that gateway by 8 to 10 s.
/// </remarks>
public sealed class ConnectionOutbox
{
    /// <summary>
    /// The most one coalesced write holds. The stall timeout bounds one write's wait, and SignalR's
    /// transport buffer (64 KB) resumes a paused writer once half of it has drained: a write of at
    /// most 32 KB asks about as much reading of the client as a single large event does (a
    /// 4000-character message is up to 24 KB), so a client that reads slowly is not taken for one
    /// that stopped. 32 KB is a hundred ordinary events: one write and one flush instead of a hundred.
    /// </summary>
    public const int MaxCoalescedBytes = 32 * 1024;

    private readonly SlowConsumerOptions _options;
    private readonly TimeProvider _time;
    private readonly Action<ConnectionOutbox, SlowConsumerTrigger> _onSlow;
    private readonly Action<int>? _onCoalesced;
    private readonly Lock _lock = new();

    /// <summary>
    /// Events waiting behind the write in flight; none while the connection keeps up. Made when a
    /// second event arrives during a write and dropped once drained, so the tens of thousands of idle
    /// connections a gateway holds carry no queue (its array only ever grows while it lives).
    /// </summary>
    private Queue<(SerializedHubMessage Message, int Bytes)>? _queue;

    /// <summary>
    /// Bytes of the events queued behind the write in flight, what <see cref="SlowConsumerOptions.MaxBufferBytes"/>
    /// bounds. Not the write itself: a large one (a <c>Ready</c> of many servers) takes as long as the
    /// client needs to read it, and counting it would close a connection that reads at its pace
    /// as soon as any event came meanwhile. The stall timeout bounds that write's wait instead.
    /// </summary>
    private long _queuedBytes;
    private bool _draining;
    private bool _closed;

    /// <summary>Completed, and dropped, when the writer has nothing left to write (<see cref="WhenDrainedAsync"/>).</summary>
    private TaskCompletionSource? _drained;

    /// <param name="onCoalesced">Told how many events go out together, before each coalesced write.</param>
    public ConnectionOutbox(
        HubConnectionContext connection, SlowConsumerOptions options, TimeProvider time,
        Action<ConnectionOutbox, SlowConsumerTrigger> onSlow, Action<int>? onCoalesced = null)
    {
        Connection = connection;
        _options = options;
        _time = time;
        _onSlow = onSlow;
        _onCoalesced = onCoalesced;
    }

    public HubConnectionContext Connection { get; }

    /// <summary>Whether events wait behind a write in flight (the outbox holds a queue for them).</summary>
    public bool HasQueue
    {
        get
        {
            lock (_lock)
            {
                return _queue is not null;
            }
        }
    }

    /// <summary>
    /// Queues messages, each serialized at most once per protocol however many connections share
    /// it; never waits. Several given together go out in one write when the outbox is idle (their
    /// frames side by side, as a queue that fell behind is written), so a message and the
    /// notification it made for this user reach the client as one WebSocket message. Messages
    /// that do not fit close the connection: dropping one would leave a gap the client cannot see
    /// (not every event carries a seq), and waiting would make the buffer unbounded.
    /// </summary>
    public void Enqueue(params ReadOnlySpan<SerializedHubMessage> messages)
    {
        var protocol = Connection.Protocol;
        var bytes = 0;
        foreach (var message in messages)
        {
            bytes += message.GetSerializedMessage(protocol).Length;
        }

        bool start = false, overflow = false;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            // An idle outbox writes any send at once, so a large Ready payload always goes out.
            if (_draining && _queuedBytes + bytes > _options.MaxBufferBytes)
            {
                overflow = TryCloseLocked();
            }
            else
            {
                if (_draining)
                {
                    _queuedBytes += bytes;
                    _queue ??= new();
                    foreach (var message in messages)
                    {
                        _queue.Enqueue((message, message.GetSerializedMessage(protocol).Length));
                    }
                }
                else
                {
                    _draining = start = true;
                }
            }
        }

        if (overflow)
        {
            _onSlow(this, SlowConsumerTrigger.BufferFull);
        }
        else if (start)
        {
            // Runs inline up to the first write the transport cannot take at once: the common case costs
            // no thread hop and no queue, exactly like SignalR's own group send.
            if (messages.Length == 1)
            {
                _ = DrainAsync(messages[0], null, 1);
            }
            else
            {
                var (together, rented) = Coalesce(messages, bytes);
                _ = DrainAsync(together, rented, messages.Length);
            }
        }
    }

    /// <summary>
    /// Completes once everything queued so far is written to the transport, or the connection is
    /// closed. An answer sent in many large parts (a server's member list in chunks) waits on it
    /// between parts, so it holds at most one part here and never trips the buffer limit by itself.
    /// </summary>
    public Task WhenDrainedAsync()
    {
        lock (_lock)
        {
            return _closed || !_draining
                ? Task.CompletedTask
                : (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    /// <summary>The connection is gone: drop what it never read.</summary>
    public void Close()
    {
        lock (_lock)
        {
            TryCloseLocked();
        }
    }

    /// <summary>
    /// Writes <paramref name="message"/>, then whatever queued up behind it, in order: a single event
    /// as it is, several in one write of up to <see cref="MaxCoalescedBytes"/>.
    /// </summary>
    private async Task DrainAsync(SerializedHubMessage message, byte[]? rented, int coalesced)
    {
        while (true)
        {
            if (coalesced > 1)
            {
                _onCoalesced?.Invoke(coalesced);
            }

            var write = Connection.WriteAsync(message);
            if (write.IsCompletedSuccessfully)
            {
                write.GetAwaiter().GetResult();
            }
            else
            {
                try
                {
                    // The transport's buffer is full: the client is not reading. Wait, but not forever.
                    await write.AsTask().WaitAsync(_options.Timeout, _time);
                }
                catch (TimeoutException)
                {
                    // The write may still copy from the coalesced buffer: it goes to the garbage collector, not the pool.
                    bool stalled;
                    lock (_lock)
                    {
                        stalled = TryCloseLocked();
                        _draining = false;
                        ReleaseDrainedLocked();
                    }

                    if (stalled)
                    {
                        _onSlow(this, SlowConsumerTrigger.Stalled);
                    }

                    return;
                }
            }

            // The transport copied the bytes into its pipe before the write completed.
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
                rented = null;
            }

            lock (_lock)
            {
                if (_closed || _queue is null || _queue.Count == 0)
                {
                    _queue = null;
                    _queuedBytes = 0;
                    _draining = false;
                    ReleaseDrainedLocked();
                    return;
                }

                (message, var taken, rented, coalesced) = TakeLocked(_queue);
                _queuedBytes -= taken;
            }
        }
    }

    /// <summary>
    /// Takes the next event, or the events at the head of the queue up to <see cref="MaxCoalescedBytes"/>
    /// as one message of their frames side by side, in the connection's protocol only.
    /// </summary>
    private (SerializedHubMessage Message, int Bytes, byte[]? Rented, int Events) TakeLocked(Queue<(SerializedHubMessage Message, int Bytes)> queue)
    {
        int count = 0, total = 0;
        foreach (var (_, bytes) in queue)
        {
            if (count > 0 && total + bytes > MaxCoalescedBytes)
            {
                break;
            }

            count++;
            total += bytes;
        }

        if (count == 1)
        {
            var (message, bytes) = queue.Dequeue();
            return (message, bytes, null, 1);
        }

        var taken = new SerializedHubMessage[count];
        for (var i = 0; i < count; i++)
        {
            taken[i] = queue.Dequeue().Message;
        }

        var (coalesced, buffer) = Coalesce(taken, total);
        return (coalesced, total, buffer, count);
    }

    /// <summary>
    /// <paramref name="messages"/> as one message of their frames side by side, in the connection's
    /// protocol only, in a pooled buffer (back to the pool once written: SignalR keeps no written
    /// message, stateful reconnect being off, see MapCrybGateway).
    /// </summary>
    private (SerializedHubMessage Message, byte[] Rented) Coalesce(ReadOnlySpan<SerializedHubMessage> messages, int total)
    {
        var protocol = Connection.Protocol;
        var buffer = ArrayPool<byte>.Shared.Rent(total);
        var offset = 0;
        foreach (var message in messages)
        {
            var frame = message.GetSerializedMessage(protocol).Span;
            frame.CopyTo(buffer.AsSpan(offset));
            offset += frame.Length;
        }

        return (new SerializedHubMessage([new SerializedMessage(protocol.Name, buffer.AsMemory(0, total))]), buffer);
    }

    /// <summary>True for the one caller that closed it, so a slow consumer is reported once.</summary>
    private bool TryCloseLocked()
    {
        if (_closed)
        {
            return false;
        }

        _closed = true;
        _queue = null;
        _queuedBytes = 0;
        ReleaseDrainedLocked();
        return true;
    }

    private void ReleaseDrainedLocked()
    {
        _drained?.TrySetResult();
        _drained = null;
    }
}
