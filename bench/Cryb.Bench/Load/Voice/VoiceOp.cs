using Cryb.Bench.Load.Guilds;

namespace Cryb.Bench.Load.Voice;

/// <summary>What one voice call of the schedule does.</summary>
public enum VoiceOpKind
{
    /// <summary><c>JoinVoice</c> from outside voice.</summary>
    Join,

    /// <summary><c>JoinVoice</c> into another channel while in one: a move.</summary>
    Move,

    /// <summary><c>LeaveVoice</c>.</summary>
    Leave,

    /// <summary><c>UpdateVoiceState</c> with the self mute flipped.</summary>
    Update,
}

/// <summary>
/// One call of the <c>voice</c> schedule by one actor, and the state it should publish: every call
/// changes the actor's state (a join from outside, a move to another channel, a leave from inside, a
/// flipped mute), so each one that succeeds is exactly one <c>VoiceStateUpdated</c>.
/// </summary>
/// <param name="ChannelId">The channel the state names after the call; null for a leave.</param>
/// <param name="Intended">When the call was due (open model), on <see cref="Measurement.BenchClock"/>.</param>
/// <param name="Measured">Due within the measured window.</param>
public sealed record VoiceOp(int Actor, VoiceOpKind Kind, string? ChannelId, bool SelfMute, long Intended, bool Measured)
{
    private int _outcome;

    /// <summary>Answered with success; false while in flight or when it failed.</summary>
    public bool Succeeded => Volatile.Read(ref _outcome) == 1;

    public bool Failed => Volatile.Read(ref _outcome) == 2;

    public bool Answered => Volatile.Read(ref _outcome) != 0;

    public void Complete(bool succeeded) => Volatile.Write(ref _outcome, succeeded ? 1 : 2);

    /// <summary>Whether <paramref name="state"/> is what this call publishes (a leave: no channel).</summary>
    public bool Expects(VoiceStateSeen state) =>
        state.ChannelId == ChannelId && (ChannelId is null || state.SelfMute == SelfMute);
}
