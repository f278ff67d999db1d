namespace Cryb.Bench.Measurement;

/// <summary>
/// Resident memory (with its parts) and CPU of every monitored process and of the generator, and
/// the GC's figures of those with a metrics URL, read every so often over a long run: what a soak
/// plots and judges. CPU is each interval's own (consecutive <see cref="CpuMeter.Lap"/>s), so a
/// process that starts spinning shows when it did.
/// </summary>
public sealed class ResourceSampler(IReadOnlyList<MonitoredProcess> processes, IReadOnlyDictionary<string, string> metricsUrls)
{
    private readonly MonitoredProcess[] _processes = [.. processes, MonitoredProcess.Generator];
    private readonly CpuMeter _cpu = new(processes);
    private readonly List<ResourceSample> _samples = [];
    private readonly HttpClient _http = new();

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
            var sample = await TakeAsync(originMicros, cancellation);
            _samples.Add(sample);
            onSample?.Invoke(sample);
            if (at >= untilMicros)
            {
                return;
            }
        }
    }

    /// <summary>One reading now, outside <see cref="RunAsync"/> (its CPU figures are empty).</summary>
    public Task<ResourceSample> SampleAsync(CancellationToken cancellation) => TakeAsync(BenchClock.NowMicros, cancellation);

    private async Task<ResourceSample> TakeAsync(long originMicros, CancellationToken cancellation)
    {
        var first = _samples.Count == 0;
        var cpu = first ? null : _cpu.Lap();
        if (first)
        {
            _cpu.Start();
        }

        var seconds = Math.Round((BenchClock.NowMicros - originMicros) / 1_000_000.0, 1);
        var resident = _processes
            .Select(process => (process.Name, Memory: ResidentMemory.Of(process.Pid)))
            .ToArray();
        // After /proc, so the scrapes' own work is not in the figures read.
        var runtime = await RuntimeMemory.ScrapeAllAsync(_http, metricsUrls, cancellation);
        return new ResourceSample(
            seconds,
            resident.ToDictionary(pair => pair.Name, pair => pair.Memory?.ResidentKb ?? 0),
            cpu?.Processes.ToDictionary(process => process.Name, process => process.Cores) ?? [])
        {
            Parts = resident.Where(pair => pair.Memory is not null).ToDictionary(pair => pair.Name, pair => pair.Memory!),
            Runtime = runtime,
        };
    }
}

/// <summary>One reading of every process.</summary>
/// <param name="AtSeconds">Since the load started.</param>
/// <param name="ResidentKb">Resident memory (<c>VmRSS</c>) per process name; 0 for a process that is gone.</param>
/// <param name="Cores">Cores each process kept busy on average since the previous sample; empty in the first.</param>
public sealed record ResourceSample(double AtSeconds, IReadOnlyDictionary<string, long> ResidentKb, IReadOnlyDictionary<string, double> Cores)
{
    /// <summary>What each running process's resident memory is made of.</summary>
    public IReadOnlyDictionary<string, ResidentMemory> Parts { get; init; } = new Dictionary<string, ResidentMemory>();

    /// <summary>The GC's figures of each process with a metrics URL that answered.</summary>
    public IReadOnlyDictionary<string, RuntimeMemory> Runtime { get; init; } = new Dictionary<string, RuntimeMemory>();
}
