using Cryb.Chaos.Faults;

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
    /// How long a killed silo is left dead: past failure detection (Membership__*: at most three
    /// missed probes of up to 2 s, then the votes), so the grains have moved before the load resumes.
    /// </summary>
    public TimeSpan SiloFailureWait { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a silo stays SIGSTOPped: past failure detection, which waits out Orleans' connection
    /// liveness window (MaxProbeTimeout × NumMissedProbesLimit, 6 s) before it votes. With Orleans'
    /// defaults (a 60 s window) 75 s was needed here.
    /// </summary>
    public TimeSpan PauseFor { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long PostgreSQL stays down.</summary>
    public TimeSpan OutageFor { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>After sends stop, how long receivers may take to hold every stored message before what is missing counts.</summary>
    public TimeSpan DrainFor { get; init; } = TimeSpan.FromSeconds(30);

    public bool Short { get; init; }

    /// <summary>Scenarios to run by name; empty for all (or, with <see cref="Short"/>, the short suite's).</summary>
    public IReadOnlyList<string> Scenarios { get; init; } = [];

    /// <summary>Where result.json and result.md go.</summary>
    public string? Output { get; init; }

    /// <summary>The faults to inject, in order: those named, else the catalog's (only the short suite's with <see cref="Short"/>).</summary>
    public IReadOnlyList<Fault> Faults() => Scenarios.Count > 0
        ? [.. Scenarios.Select(name => FaultCatalog.Find(name) ?? throw new ArgumentException($"Unknown scenario {name}.", nameof(Scenarios)))]
        : [.. FaultCatalog.All.Where(fault => !Short || fault.InShortSuite)];

    public static ChaosSettings ShortSuite(ChaosSettings settings) => settings with
    {
        Short = true,
        Clients = 24,
        Senders = 8,
        PhaseLength = TimeSpan.FromSeconds(5),
    };
}
