namespace Cryb.Bench.Load.Notifications;

/// <summary>Which part of a <c>notifications</c> run a moment falls in.</summary>
public enum NotifyPhase
{
    /// <summary>Plain sends only, not measured.</summary>
    WarmupA,

    /// <summary>Phase A's window: plain sends only, measured.</summary>
    A,

    /// <summary>Plain sends and the owner's plain messages into the big channel, not measured: the channel's first messages warm its fan-out.</summary>
    WarmupC,

    /// <summary>Phase C's window: plain sends and the owner's plain messages into the big channel, measured.</summary>
    C,

    /// <summary>Plain sends and mentions, not measured: the first mentions read the server's roster.</summary>
    WarmupB,

    /// <summary>Phase B's window: plain sends and mentions, measured.</summary>
    B,

    /// <summary>After the last window.</summary>
    After,
}

/// <summary>
/// The run's time line, in microseconds from the closed-loop senders' start: phase A's warm-up
/// and window (plain sends only), then phase C's warm-up and window (the same plain sends plus the
/// owner's plain messages into the big channel), then phase B's warm-up and window (the same plain
/// sends plus the owner's <c>@everyone</c> at the same rate into the same channel). The owner's
/// sends run without a break from phase C's warm-up to phase B's end; C and B share the warm-up's
/// length, and the three windows are equally long.
/// </summary>
public sealed record NotifyTimeline(long WarmupA, long Window, long WarmupChannel)
{
    public long AStart => WarmupA;

    public long AEnd => WarmupA + Window;

    /// <summary>The owner's first send into the big channel (plain): phase C's warm-up starts.</summary>
    public long ChannelSendsStart => AEnd;

    public long CStart => AEnd + WarmupChannel;

    public long CEnd => CStart + Window;

    /// <summary>The owner's first <c>@everyone</c>: phase B's warm-up starts.</summary>
    public long MentionsStart => CEnd;

    public long BStart => CEnd + WarmupChannel;

    public long BEnd => BStart + Window;

    public NotifyPhase PhaseOf(long offset) =>
        offset < AStart ? NotifyPhase.WarmupA
        : offset < AEnd ? NotifyPhase.A
        : offset < CStart ? NotifyPhase.WarmupC
        : offset < CEnd ? NotifyPhase.C
        : offset < BStart ? NotifyPhase.WarmupB
        : offset < BEnd ? NotifyPhase.B
        : NotifyPhase.After;

    /// <summary>Whether <paramref name="phase"/> is a measured window.</summary>
    public static bool IsWindow(NotifyPhase phase) => phase is NotifyPhase.A or NotifyPhase.C or NotifyPhase.B;

    /// <summary>The owner's sends into the big channel at <paramref name="rate"/> per second, from phase C's warm-up to phase B's end: plain ones, then mentions.</summary>
    public int ChannelSends(double rate) => (int)Math.Round((BEnd - ChannelSendsStart) / 1e6 * rate);

    /// <summary>Whether the owner's send due at <paramref name="offset"/> carries <c>@everyone</c> (phase B) rather than plain text (phase C).</summary>
    public bool IsMention(long offset) => offset >= MentionsStart;

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
