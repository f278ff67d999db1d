using Cryb.Bench.Load;
using Cryb.Bench.Measurement;

namespace Cryb.Bench.Reporting;

/// <summary>
/// One system's row of a comparison, taken from its message scenario result: the step that counts
/// (<c>ramp</c>: the best step within the p99 bound, <see cref="Step"/>; the first when none was), its rates and
/// latencies, CPU per acknowledged send by process and by role, and the verdict.
/// </summary>
/// <param name="Headline">The figure the scenario is compared on: deliveries/s at the ramp's best step, persisted sends/s for <c>hot-channel</c>, deliveries/s for <c>fanout</c>.</param>
/// <param name="FrontCpuPerDeliveryMicros">CPU of the processes clients connect to (gateways, Socket.IO processes, the reference hub) per delivered frame, in µs.</param>
/// <param name="CpuPerSendMicros">CPU per acknowledged send, in µs, of each measured process and the generator (<c>bench</c>).</param>
/// <param name="CpuPerSendByRole">The same summed by role: front, silos, postgres, redis, server (all but the generator), generator.</param>
public sealed record SystemFigures(
    BenchSystem System,
    BenchClientKind Client,
    int? Step,
    string HeadlineName,
    double Headline,
    double OfferedSendsPerSecond,
    double AckedSendsPerSecond,
    double DeliveriesPerSecond,
    LatencySummary EndToEnd,
    LatencySummary Ack,
    double? FrontCpuPerDeliveryMicros,
    IReadOnlyDictionary<string, double> CpuPerSendMicros,
    IReadOnlyDictionary<string, double> CpuPerSendByRole,
    double GeneratorCores,
    double GeneratorShare,
    CorrectnessReport Correctness,
    long UnacknowledgedSends,
    IReadOnlyList<string> Failures)
{
    public const string Front = "front";
    public const string Silos = "silos";
    public const string Server = "server";
    public const string Generator = "generator";

    /// <summary>The roles of <see cref="CpuPerSendByRole"/>, in the order tables show them.</summary>
    public static IReadOnlyList<string> Roles { get; } = [Front, Silos, "postgres", "redis", Server, Generator];

    public bool Passed => Failures.Count == 0;

    public static SystemFigures Of(MessageLoadResult result)
    {
        var step = result.Ramp?.BestStep is { } best ? result.Steps.First(s => s.Step == best) : result.Steps[0];
        var (headlineName, headline) = result.Run.Scenario switch
        {
            "ramp" => ($"deliveries/s at p99 <= {result.Ramp!.P99BoundMs} ms", result.Ramp.MaxDeliveriesPerSecond),
            "hot-channel" => ("persisted sends/s", step.AchievedSendsPerSecond),
            _ => ("deliveries/s", step.DeliveriesPerSecond),
        };
        var acked = Math.Max(1, step.AckedInWindow);
        var perSend = step.Cpu.Processes.ToDictionary(p => p.Name, p => Math.Round(p.CpuSeconds * 1e6 / acked, 1));
        var byRole = Roles.ToDictionary(role => role, role => Math.Round(
            step.Cpu.Processes.Where(p => RoleOf(p.Name) == role || (role == Server && RoleOf(p.Name) != Generator)).Sum(p => p.CpuSeconds) * 1e6 / acked, 1));
        var front = step.Cpu.Processes.Where(p => RoleOf(p.Name) == Front).Sum(p => p.CpuSeconds);
        var generator = step.Cpu.Processes.Where(p => RoleOf(p.Name) == Generator).Sum(p => p.Cores);
        return new SystemFigures(
            result.Run.System, result.Run.Client, result.Ramp?.BestStep, headlineName, headline,
            step.OfferedSendsPerSecond, step.AchievedSendsPerSecond, step.DeliveriesPerSecond, step.EndToEnd, step.Ack,
            step.DeliveriesInWindow > 0 && front > 0 ? Math.Round(front * 1e6 / step.DeliveriesInWindow, 1) : null,
            perSend, byRole, generator, step.Cpu.GeneratorShare, result.Correctness, result.Steps.Sum(s => s.UnacknowledgedSends), result.Failures);
    }

    /// <summary>
    /// The role of a measured process by its <c>--process</c> name: what clients connect to (Cryb's
    /// gateways, the Socket.IO processes, the reference hub) is the front.
    /// </summary>
    public static string RoleOf(string process) => process switch
    {
        _ when process.StartsWith("gateway", StringComparison.OrdinalIgnoreCase)
            || process.StartsWith("socketio", StringComparison.OrdinalIgnoreCase)
            || process.StartsWith("reference", StringComparison.OrdinalIgnoreCase) => Front,
        _ when process.StartsWith("silo", StringComparison.OrdinalIgnoreCase) => Silos,
        _ when process == MonitoredProcess.Generator.Name => Generator,
        _ => process,
    };
}
