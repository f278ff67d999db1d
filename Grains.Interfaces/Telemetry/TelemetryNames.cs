namespace Cryb.Telemetry;

/// <summary>
/// Names of the Cryb meter and activity source, shared by silos, gateways, tests and the Grafana
/// dashboard in deploy/. Instrument names are part of the operators' contract: rename none.
/// </summary>
public static class TelemetryNames
{
    /// <summary>The meter and activity source of Cryb's own instruments and spans.</summary>
    public const string Cryb = "Cryb";

    /// <summary>Orleans' meter.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>Orleans' activity sources for grain calls, on silos and clients.</summary>
    public static readonly string[] OrleansActivitySources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    /// <summary>Npgsql's meter and activity source (built into Npgsql).</summary>
    public const string Npgsql = "Npgsql";
}
