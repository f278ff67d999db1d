namespace Cryb.Gateway.Fanout;

/// <summary>
/// Faults injected on purpose, for tests and drills (configuration section <c>Faults</c>); a
/// gateway refuses to start with any of them in Production.
/// </summary>
public sealed class FanoutFaultOptions
{
    public const string Section = "Faults";

    /// <summary>
    /// Seqs of <c>MessageCreated</c> events this gateway discards as their push arrives, in every
    /// channel, as if the push had been lost on the way: the channel's next event shows the gap, and
    /// the gateway fills it from the channel grain before delivering that event.
    /// </summary>
    public long[] DropMessageSeqs { get; set; } = [];

    public bool Any => DropMessageSeqs.Length > 0;
}
