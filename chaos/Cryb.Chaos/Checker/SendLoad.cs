using Cryb.Bench.Load;
using Cryb.Bench.Measurement;
using Cryb.Errors;
using Microsoft.AspNetCore.SignalR;

namespace Cryb.Chaos.Checker;

/// <summary>
/// Senders at a fixed rate each (the open model: a send goes out on schedule whether or not the
/// previous one has been answered), every message under a nonce of its own. An attempt ends
/// acknowledged, refused with a code, or unknown (timed out or cut off); refusals that invite a
/// retry (<c>storage_unavailable</c>, <c>unavailable</c>, <c>rate_limited</c>) and unknown outcomes
/// are retried with the same nonce, with jittered backoff, for up to <see cref="GiveUpAfter"/>.
/// </summary>
public sealed class SendLoad(Recorder recorder, IReadOnlyList<SendLoad.Sender> senders, int channels, double ratePerSender)
{
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(30);

    private readonly long[] _maxAcked = new long[channels];

    /// <summary>One sending member: its client and the channel it sends to.</summary>
    public sealed record Sender(CheckerClient Client, string ChannelId, int Channel);

    /// <summary>Per channel, the highest seq acknowledged so far.</summary>
    public long[] MaxAcknowledged() => [.. _maxAcked.Select(seq => Interlocked.Read(ref seq))];

    /// <summary>Sends until <paramref name="stop"/>, then waits for every message still being retried.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var inFlight = new List<Task>();
        await Task.WhenAll(senders.Select(sender => Task.Run(() => SendOnScheduleAsync(sender, inFlight, stop))));
        Task[] pending;
        lock (inFlight)
        {
            pending = [.. inFlight];
        }

        await Task.WhenAll(pending);
    }

    private async Task SendOnScheduleAsync(Sender sender, List<Task> inFlight, CancellationToken stop)
    {
        var interval = BenchClock.ToMicros(TimeSpan.FromSeconds(1 / ratePerSender));
        // Spread the senders over one interval, so the load is even rather than in bursts.
        var next = BenchClock.NowMicros + Random.Shared.NextInt64(interval);
        while (true)
        {
            try
            {
                await BenchClock.WaitUntilAsync(next, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var nonce = recorder.NextNonce(sender.Client.UserId);
            var record = new SendRecord(recorder.Current, sender.Channel, sender.Client.UserId, nonce);
            recorder.Sends.Enqueue(record);
            var send = SendUntilSettledAsync(sender, record);
            lock (inFlight)
            {
                inFlight.RemoveAll(task => task.IsCompleted);
                inFlight.Add(send);
            }

            next += interval;
        }
    }

    private async Task SendUntilSettledAsync(Sender sender, SendRecord record)
    {
        var giveUpAt = BenchClock.NowMicros + BenchClock.ToMicros(GiveUpAfter);
        var content = $"chaos {record.Nonce}";
        for (var retry = 0; BenchClock.NowMicros < giveUpAt; retry++)
        {
            if (retry > 0)
            {
                var cap = Math.Min(2000, 100 * Math.Pow(2, retry));
                await Task.Delay(TimeSpan.FromMilliseconds(cap / 2 + Random.Shared.NextDouble() * cap / 2));
            }

            if (sender.Client.Connection is null)
            {
                // Not sent at all: nothing unknown about it. Wait for the client to be back.
                using var wait = new CancellationTokenSource(TimeSpan.FromMicroseconds(Math.Max(1, giveUpAt - BenchClock.NowMicros)));
                try
                {
                    await sender.Client.WaitConnectedAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            var window = recorder.Current;
            var phase = window.Phase;
            var started = BenchClock.NowMicros;
            record.Attempts++;
            try
            {
                var message = await sender.Client.SendAsync(sender.ChannelId, content, record.Nonce, CancellationToken.None);
                record.Seq = message.Seq;
                AtomicMax.Update(ref _maxAcked[sender.Channel], message.Seq);
                window.Acknowledged(sender.Channel, phase, started, BenchClock.NowMicros);
                return;
            }
            catch (HubException refusal) when (ErrorCounter.CodeOf(refusal) is { } code && code != "hub_error")
            {
                window.Refused(code, started, BenchClock.NowMicros);
                record.HadStorageRefusal |= code == ErrorCodes.StorageUnavailable;
                if (code is not (ErrorCodes.StorageUnavailable or ErrorCodes.Unavailable or ErrorCodes.RateLimited))
                {
                    record.FinalCode = code;
                    return;
                }
            }
            catch (InvalidOperationException) when (sender.Client.Connection is null)
            {
                // The connection dropped between the check and the call: nothing was sent.
            }
            catch (Exception cutOff)
            {
                // Timed out, or the connection closed with the call in flight: the server may have stored it.
                window.Errors.Add(ErrorCounter.CodeOf(cutOff));
                record.HadUnknownOutcome = true;
            }
        }
    }
}
