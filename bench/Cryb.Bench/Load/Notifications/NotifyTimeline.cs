namespace Cryb.Bench.Load.Notifications;

/// <summary>Which part of a <c>notifications</c> run a moment falls in.</summary>
public enum NotifyPhase
{
    /// <summary>Plain sends only, not measured.</summary>
    WarmupA,

    /// <summary>Phase A's window: plain sends only, measured.</summary>
    A,

    /// <summary>Plain sends and mentions, not measured: the first mentions read the server's roster.</summary>
    WarmupB,

    /// <summary>Phase B's window: plain sends and mentions, measured.</summary>
    B,

    /// <summary>After the last window.</summary>
    After,
}

/// <summary>
/// The run's time line, in microseconds from the closed-loop senders' start: phase A's
/// warm-up and window (plain sends only), then phase B's warm-up and window (the same plain sends
/// plus the mentions, which start with phase B's warm-up). Both windows are equally long.
/// </summary>
public sealed record NotifyTimeline(long WarmupA, long Window, long WarmupB)
{
    public long AStart => WarmupA;

    public long AEnd => WarmupA + Window;

    /// <summary>The first mention's intended time: phase B's warm-up starts.</summary>
    public long MentionsStart => AEnd;

    public long BStart => AEnd + WarmupB;

    public long BEnd => BStart + Window;

    public NotifyPhase PhaseOf(long offset) =>
        offset < AStart ? NotifyPhase.WarmupA
        : offset < AEnd ? NotifyPhase.A
        : offset < BStart ? NotifyPhase.WarmupB
        : offset < BEnd ? NotifyPhase.B
        : NotifyPhase.After;

    /// <summary>Mentions over phase B's warm-up and window at <paramref name="rate"/> per second.</summary>
    public int Mentions(double rate) => (int)Math.Round((BEnd - MentionsStart) / 1e6 * rate);

    /// <summary>
    /// Acknowledged sends per second of a window: those acknowledged over the time from the
    /// window's start to the last answer, at least the window (a cluster that falls behind answers
    /// the window's sends after it ends, and its rate is what it got through in that longer time).
    /// </summary>
    public double AckedPerSecond(long acked, long windowStart, long lastAnswer)
    {
        var seconds = Math.Max(Window, lastAnswer - windowStart) / 1e6;
        return seconds > 0 ? Math.Round(acked / seconds, 1) : 0;
    }
}
