using Cryb.Bench.Measurement;

namespace Cryb.Bench.Load;

/// <summary>
/// Members leaving and coming back throughout a step (<see cref="MessageLoad.ReconnectAsync"/>):
/// at an even pace of <c>perSecond</c>, the next receiver in turn closes its connection, stays
/// away <c>offline</c>, connects again and catches up. Only receivers churn: a sender's sends
/// would fail with its connection, and those failures are what the step counts as errors. The
/// same users come back (no new ones), so the cluster holds the same members and channels all run
/// long and memory that keeps growing is a leak, not data.
/// </summary>
public sealed class MemberChurn(MessageLoad load, double perSecond, TimeSpan offline)
{
    private readonly LatencyHistogram _rejoin = new();
    private long _left;
    private long _rejoined;
    private long _failed;
    private long _missed;
    private long _truncated;

    /// <summary>
    /// Starts a leave every <c>1 / perSecond</c> seconds from <paramref name="fromMicros"/> until the
    /// step's window ends, then waits for those under way. Failures count in the step's errors as
    /// <c>rejoin_&lt;code&gt;</c>.
    /// </summary>
    public async Task RunAsync(StepRecorder recorder, long fromMicros, CancellationToken cancellation)
    {
        var shape = load.Shape;
        var receivers = shape.Clients - shape.Senders;
        if (perSecond <= 0 || receivers == 0)
        {
            return;
        }

        var intervalMicros = 1_000_000.0 / perSecond;
        var running = new Dictionary<int, Task>();
        for (long i = 0; ; i++)
        {
            var intended = fromMicros + (long)(i * intervalMicros);
            if (intended >= recorder.WindowEnd)
            {
                break;
            }

            await BenchClock.WaitUntilAsync(intended, cancellation);
            var client = shape.Senders + (int)(i % receivers);
            // A member still away from its last turn (only when the turns come round faster than it rejoins) sits this one out.
            if (running.TryGetValue(client, out var previous) && !previous.IsCompleted)
            {
                continue;
            }

            running[client] = OneAsync(client, recorder, cancellation);
        }

        await Task.WhenAll(running.Values);
    }

    public ChurnSummary Summarize() => new(
        perSecond, offline.TotalSeconds, Interlocked.Read(ref _left), Interlocked.Read(ref _rejoined), Interlocked.Read(ref _failed),
        Interlocked.Read(ref _missed), Interlocked.Read(ref _truncated), _rejoin.Summarize());

    private async Task OneAsync(int client, StepRecorder recorder, CancellationToken cancellation)
    {
        Interlocked.Increment(ref _left);
        var started = BenchClock.NowMicros + BenchClock.ToMicros(offline);
        try
        {
            var answer = await load.ReconnectAsync(client, offline, cancellation);
            _rejoin.Record(BenchClock.NowMicros - started);
            Interlocked.Increment(ref _rejoined);
            Interlocked.Add(ref _missed, answer.Missed.Count);
            if (answer.Truncated)
            {
                // More than the 500 a join returns: the checker then counts the rest as lost (a client would call JoinChannel again from the last revisionSeq, docs/protocol.md).
                Interlocked.Increment(ref _truncated);
            }
        }
        catch (Exception ex) when (!cancellation.IsCancellationRequested)
        {
            Interlocked.Increment(ref _failed);
            recorder.Errors.Add("rejoin_" + ErrorCounter.CodeOf(ex), ex.Message);
        }
    }
}

/// <summary>What the churn did over a run.</summary>
/// <param name="Left">Connections closed by a member leaving.</param>
/// <param name="Rejoined">Members that connected again and resumed their channel.</param>
/// <param name="Failed">Members whose reconnect or resume failed (listed by code in the errors as <c>rejoin_*</c>).</param>
/// <param name="MissedFilled">Messages the resumes returned as missed, in all.</param>
/// <param name="Truncated">Resumes that had more missed messages than a join returns.</param>
/// <param name="Rejoin">From the end of the time away to the resume's answer: connect, Ready, JoinChannel.</param>
public sealed record ChurnSummary(double PerSecond, double OfflineSeconds, long Left, long Rejoined, long Failed, long MissedFilled, long Truncated, LatencySummary Rejoin);
