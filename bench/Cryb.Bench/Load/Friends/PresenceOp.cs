namespace Cryb.Bench.Load.Friends;

/// <summary>
/// One <c>SetPresence</c> of the <c>friends</c> load: user <see cref="User"/> sets
/// <see cref="Status"/>, which differs from the status it had, so each one that succeeds is exactly
/// one change its friends must hear.
/// </summary>
/// <param name="Status">The wire name of the status set: <c>online</c>, <c>dnd</c> or <c>idle</c>.</param>
/// <param name="Intended">When the call was due (open model), on <see cref="Measurement.BenchClock"/>.</param>
/// <param name="Measured">Due within the measured window.</param>
public sealed record PresenceOp(int User, string Status, long Intended, bool Measured)
{
    private int _outcome;

    /// <summary>Answered with success; false while in flight or when it failed.</summary>
    public bool Succeeded => Volatile.Read(ref _outcome) == 1;

    public bool Failed => Volatile.Read(ref _outcome) == 2;

    public bool Answered => Volatile.Read(ref _outcome) != 0;

    public void Complete(bool succeeded) => Volatile.Write(ref _outcome, succeeded ? 1 : 2);
}
