namespace Cryb.Bench.Load.Notifications;

/// <summary>One send of the <c>notifications</c> scenario (plain or mention): when it was due, in which phase, and how it ended.</summary>
/// <remarks>Written under the scenario's lock; read once the drain is over.</remarks>
public sealed class SendRecord(long intended, NotifyPhase phase)
{
    /// <summary>The intended time on the bench clock, from which its latency counts.</summary>
    public long Intended { get; } = intended;

    public NotifyPhase Phase { get; } = phase;

    /// <summary>The stored message's id, once answered.</summary>
    public string? MessageId { get; private set; }

    /// <summary>When the answer arrived; 0 while none has.</summary>
    public long AnsweredAt { get; private set; }

    public bool Succeeded => MessageId is not null;

    public bool Failed { get; private set; }

    public void Answer(string messageId, long answeredAt) => (MessageId, AnsweredAt) = (messageId, answeredAt);

    public void Fail() => Failed = true;
}
