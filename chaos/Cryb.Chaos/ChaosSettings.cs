namespace Cryb.Chaos;

/// <summary>The suite's shape and timings; <c>--short</c> is the run in <c>./cryb test</c>.</summary>
public sealed record ChaosSettings
{
    public int Silos { get; init; } = 3;
    public int Gateways { get; init; } = 2;
    public int Clients { get; init; } = 40;
    public int Channels { get; init; } = 4;
    public int Senders { get; init; } = 8;

    /// <summary>Messages per second of each sender.</summary>
    public double Rate { get; init; } = 5;

    /// <summary>Load before the fault, and again after it, for latency and a settled baseline.</summary>
    public TimeSpan PhaseLength { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a killed silo is left dead: Orleans' default failure detection (3 missed probes
    /// of 5 s, then votes) declares it dead in roughly 15 to 20 s here.
    /// </summary>
    public TimeSpan SiloFailureWait { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// How long a silo stays SIGSTOPped: past failure detection. 40 s was not enough on the 2-core
    /// machine: the silos that probe it extend their probe timeout (up to 20 s) while they
    /// themselves look degraded, so three missed probes can take a minute.
    /// </summary>
    public TimeSpan PauseFor { get; init; } = TimeSpan.FromSeconds(75);

    /// <summary>How long PostgreSQL stays down.</summary>
    public TimeSpan OutageFor { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>After sends stop, how long receivers may take to hold every stored message before what is missing counts.</summary>
    public TimeSpan DrainFor { get; init; } = TimeSpan.FromSeconds(30);

    public bool Short { get; init; }

    /// <summary>Scenarios to run by name; empty for all (or, with <see cref="Short"/>, the short suite's).</summary>
    public IReadOnlyList<string> Scenarios { get; init; } = [];

    /// <summary>Where result.json and result.md go.</summary>
    public string? Output { get; init; }

    public static ChaosSettings ShortSuite(ChaosSettings settings) => settings with
    {
        Short = true,
        Clients = 24,
        Senders = 8,
        PhaseLength = TimeSpan.FromSeconds(5),
        SiloFailureWait = TimeSpan.FromSeconds(20),
        PauseFor = TimeSpan.FromSeconds(30),
    };
}
