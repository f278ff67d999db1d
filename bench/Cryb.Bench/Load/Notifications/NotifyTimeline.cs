namespace Cryb.Bench.Load.Notifications;

/// <summary>Which part of a <c>notifications</c> run a moment falls in.</summary>
public enum NotifyPhase
{
    /// <summary>Plain sends only, not measured.</summary>
    Warmup,

    /// <summary>
    /// Plain sends and the owner's sends into the big channel, not measured: plain messages first
    /// (they warm the channel's fan-out), then <c>@everyone</c> (the first reads the server's roster
    /// and warms the notification path).
    /// </summary>
    MentionWarmup,

    /// <summary>Phase A's segments: plain sends only, measured.</summary>
    A,

    /// <summary>Phase C's segments: plain sends and the owner's plain messages into the big channel, measured.</summary>
    C,

    /// <summary>Phase B's segments: plain sends and the owner's <c>@everyone</c> into the big channel, measured.</summary>
    B,

    /// <summary>After the last segment.</summary>
    After,
}

/// <summary>
/// The run's time line, in microseconds from the closed-loop senders' start: a warm-up of plain
/// sends only; then the owner's warm-up (plain messages into the big channel for its first half,
/// <c>@everyone</c> for its second); then <see cref="Rounds"/> rounds of three segments of
/// <see cref="Segment"/> each: A (plain sends only), C (plus the owner's plain messages) and B
/// (plus the owner's <c>@everyone</c>), in that order in even rounds and mirrored (B, C, A) in odd
/// ones. The phases take turns so that a machine whose speed drifts during the run (other load,
/// thermal limits) slows each of them alike: over sequential windows the drift alone moved B / C by
/// a quarter. Mirroring the rounds cancels a steady drift too: over an even number of rounds each
/// phase's segments sit, on average, at the middle of the measured span. Each phase is measured for
/// <see cref="Rounds"/> × <see cref="Segment"/>.
/// </summary>
public sealed record NotifyTimeline(long Warmup, long MentionWarmup, long Segment, int Rounds)
{
    private static readonly NotifyPhase[] RoundOrder = [NotifyPhase.A, NotifyPhase.C, NotifyPhase.B];

    /// <summary>The owner's first send into the big channel (plain): its warm-up starts.</summary>
    public long MentionWarmupStart => Warmup;

    /// <summary>The owner's first <c>@everyone</c> of its warm-up: half of it is plain, half mentions.</summary>
    public long MentionWarmupMentionsStart => Warmup + MentionWarmup / 2;

    /// <summary>The first segment's start.</summary>
    public long MeasuredStart => Warmup + MentionWarmup;

    public int SegmentCount => Rounds * RoundOrder.Length;

    /// <summary>The last segment's end.</summary>
    public long MeasuredEnd => SegmentStart(SegmentCount);

    /// <summary>Each phase's measured time: one segment in each round.</summary>
    public long PhaseMicros => Rounds * Segment;

    /// <summary>When segment <paramref name="i"/> starts (and segment i − 1 ends); i = <see cref="SegmentCount"/> is the measured end.</summary>
    public long SegmentStart(int i) => MeasuredStart + i * Segment;

    /// <summary>The phase segment <paramref name="i"/> measures: A, C, B, then B, C, A, and so on.</summary>
    public static NotifyPhase PhaseOfSegment(int i)
    {
        var (round, place) = Math.DivRem(i, RoundOrder.Length);
        return RoundOrder[round % 2 == 0 ? place : RoundOrder.Length - 1 - place];
    }

    /// <summary>The segment <paramref name="offset"/> falls in, or null outside the measured span.</summary>
    public int? SegmentOf(long offset) =>
        offset >= MeasuredStart && offset < MeasuredEnd ? (int)((offset - MeasuredStart) / Segment) : null;

    public NotifyPhase PhaseOf(long offset) =>
        offset < MentionWarmupStart ? NotifyPhase.Warmup
        : offset < MeasuredStart ? NotifyPhase.MentionWarmup
        : SegmentOf(offset) is { } segment ? PhaseOfSegment(segment)
        : NotifyPhase.After;

    /// <summary>Whether <paramref name="phase"/> is measured.</summary>
    public static bool IsWindow(NotifyPhase phase) => phase is NotifyPhase.A or NotifyPhase.C or NotifyPhase.B;

    /// <summary>
    /// When the owner's sends into the big channel are due at <paramref name="rate"/> per second
    /// (open model), in order: through its warm-up, then through each C and B segment from the
    /// segment's start, none in A's segments (there the plain sends are alone).
    /// </summary>
    public IReadOnlyList<long> ChannelSendDues(double rate)
    {
        var interval = 1_000_000.0 / rate;
        var dues = new List<long>();
        void Add(long from, long length)
        {
            for (var k = 0L; k * interval < length; k++)
            {
                dues.Add(from + (long)(k * interval));
            }
        }

        Add(MentionWarmupStart, MentionWarmup);
        for (var i = 0; i < SegmentCount; i++)
        {
            if (PhaseOfSegment(i) != NotifyPhase.A)
            {
                Add(SegmentStart(i), Segment);
            }
        }

        return dues;
    }

    /// <summary>Whether the owner's send due at <paramref name="offset"/> carries <c>@everyone</c> (the second half of its warm-up, and phase B) rather than plain text.</summary>
    public bool IsMention(long offset) => PhaseOf(offset) switch
    {
        NotifyPhase.MentionWarmup => offset >= MentionWarmupMentionsStart,
        NotifyPhase.B => true,
        _ => false,
    };

    /// <summary>Acknowledged sends per second of a phase: those started (or due) in its segments and acknowledged, over its measured time.</summary>
    public double AckedPerSecond(long acked) => PhaseMicros > 0 ? Math.Round(acked / (PhaseMicros / 1e6), 1) : 0;
}
