using Cryb.Bench.Load;
using Cryb.Bench.Measurement;

namespace Cryb.Bench.Reporting;

/// <summary>Where and how a run happened, written at the top of every result.</summary>
public sealed record RunInfo(
    string Scenario,
    string RunId,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    IReadOnlyList<string> Gateways,
    BenchSystem System,
    BenchClientKind Client,
    string Protocol,
    bool SkipNegotiation,
    IReadOnlyList<MonitoredProcess> Processes,
    int ProcessorCount)
{
    /// <summary>The run as of now, started at <paramref name="startedAt"/>.</summary>
    public static RunInfo Of(BenchContext context, string scenario, DateTimeOffset startedAt) => new(
        scenario,
        context.RunId,
        startedAt,
        DateTimeOffset.UtcNow,
        context.Gateways,
        context.System,
        context.Client,
        context.Protocol.ToString().ToLowerInvariant(),
        context.SkipNegotiation,
        context.Processes,
        Environment.ProcessorCount);
}
