namespace Cryb.Bench.Measurement;

/// <summary>
/// Resident memory and CPU of every monitored process and of the generator, read every so often
/// over a long run: what a soak plots and judges. CPU is each interval's own (consecutive
/// <see cref="CpuMeter.Lap"/>s), so a process that starts spinning shows when it did.
/// </summary>
public sealed class ResourceSampler(IReadOnlyList<MonitoredProcess> processes)
{
    private readonly MonitoredProcess[] _processes = [.. processes, MonitoredProcess.Generator];
    private readonly CpuMeter _cpu = new(processes);
    private readonly List<ResourceSample> _samples = [];

    public IReadOnlyList<ResourceSample> Samples => _samples;

    /// <summary>
    /// Samples at <paramref name="originMicros"/>, every <paramref name="every"/> after it, and at
    /// <paramref name="untilMicros"/> (all on <see cref="BenchClock"/>); times are seconds since the origin.
    /// <paramref name="onSample"/> sees each one (progress lines).
    /// </summary>
    public async Task RunAsync(long originMicros, long untilMicros, TimeSpan every, Action<ResourceSample>? onSample, CancellationToken cancellation)
    {
        var step = Math.Max(1, BenchClock.ToMicros(every));
        for (var at = originMicros; ; at = Math.Min(at + step, untilMicros))
        {
            await BenchClock.WaitUntilAsync(at, cancellation);
            var sample = Take(originMicros);
            _samples.Add(sample);
            onSample?.Invoke(sample);
            if (at >= untilMicros)
            {
                return;
            }
        }
    }

    private ResourceSample Take(long originMicros)
    {
        var first = _samples.Count == 0;
        var cpu = first ? null : _cpu.Lap();
        if (first)
        {
            _cpu.Start();
        }

        var seconds = Math.Round((BenchClock.NowMicros - originMicros) / 1_000_000.0, 1);
        return new ResourceSample(
            seconds,
            _processes.ToDictionary(process => process.Name, process => ProcessMemory.ResidentKilobytes(process.Pid) ?? 0),
            cpu?.Processes.ToDictionary(process => process.Name, process => process.Cores) ?? []);
    }
}

/// <summary>One reading of every process.</summary>
/// <param name="AtSeconds">Since the load started.</param>
/// <param name="ResidentKb">Resident memory (<c>VmRSS</c>) per process name; 0 for a process that is gone.</param>
/// <param name="Cores">Cores each process kept busy on average since the previous sample; empty in the first.</param>
public sealed record ResourceSample(double AtSeconds, IReadOnlyDictionary<string, long> ResidentKb, IReadOnlyDictionary<string, double> Cores);
