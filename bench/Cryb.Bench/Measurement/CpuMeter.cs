namespace Cryb.Bench.Measurement;

/// <summary>
/// CPU seconds each monitored process (with its descendants) and the generator spend between
/// <see cref="Start"/> and <see cref="Stop"/>.
/// </summary>
public sealed class CpuMeter
{
    private readonly IReadOnlyList<MonitoredProcess> _processes;
    private double[] _startSeconds = [];
    private long _startMicros;

    public CpuMeter(IReadOnlyList<MonitoredProcess> processes)
    {
        _processes = [.. processes, MonitoredProcess.Generator];
    }

    public static CpuMeter StartNew(IReadOnlyList<MonitoredProcess> processes)
    {
        var meter = new CpuMeter(processes);
        meter.Start();
        return meter;
    }

    public void Start() => (_startSeconds, _startMicros) = Read();

    /// <summary>
    /// CPU time since <see cref="Start"/>, with CPU seconds per 1,000 <paramref name="unit"/>
    /// (deliveries, connections) when <paramref name="units"/> is positive.
    /// </summary>
    public CpuReport Stop(long units, string unit)
    {
        var (end, endMicros) = Read();
        return Report(end, endMicros, units, unit);
    }

    /// <summary>CPU time since the last reading, and a new start at this reading: consecutive laps leave no time out.</summary>
    public CpuReport Lap()
    {
        var (end, endMicros) = Read();
        var report = Report(end, endMicros, 0, "deliveries");
        (_startSeconds, _startMicros) = (end, endMicros);
        return report;
    }

    private CpuReport Report(double[] end, long endMicros, long units, string unit)
    {
        var window = (endMicros - _startMicros) / 1_000_000.0;
        var processes = new List<ProcessCpuUse>(_processes.Count);
        for (var i = 0; i < _processes.Count; i++)
        {
            processes.Add(new ProcessCpuUse(_processes[i].Name, _processes[i].Pid, Math.Max(0, end[i] - _startSeconds[i])));
        }

        return CpuReport.Create(window, processes, units, unit);
    }

    /// <summary>Every process's CPU seconds, and when they were read: the middle of the scan of /proc, which takes a while on a busy machine.</summary>
    private (double[] Seconds, long AtMicros) Read()
    {
        var before = BenchClock.NowMicros;
        var table = ProcStat.ReadAll();
        var at = (before + BenchClock.NowMicros) / 2;
        return (_processes.Select(process => process.WithDescendants ? ProcessCpu.TreeSeconds(process.Pid, table) : ProcessCpu.OwnSeconds(process.Pid, table)).ToArray(), at);
    }
}

/// <summary>CPU seconds of one process (and its descendants) over a window.</summary>
public sealed record ProcessCpuUse(string Name, int Pid, double CpuSeconds)
{
    /// <summary>CPU seconds per 1,000 units; null when nothing was counted.</summary>
    public double? PerThousand { get; init; }

    /// <summary>Average cores busy over the window.</summary>
    public double Cores { get; init; }
}

/// <summary>CPU use of every measured process over a window.</summary>
/// <param name="Unit">What <see cref="Units"/> counts: deliveries, or connections for <c>connect</c>.</param>
/// <param name="ProcessorCount">Cores of the machine the window ran on.</param>
public sealed record CpuReport(double WindowSeconds, IReadOnlyList<ProcessCpuUse> Processes, double TotalCpuSeconds, double? TotalPerThousand, long Units, string Unit, int ProcessorCount)
{
    /// <summary>Cores the generator (<c>bench</c>) kept busy, as a share of the machine: it shares the cores with what it loads.</summary>
    public double GeneratorShare => ProcessorCount > 0
        ? Math.Round(Processes.Where(process => process.Name == MonitoredProcess.Generator.Name).Sum(process => process.Cores) / ProcessorCount, 3)
        : 0;

    public static CpuReport Create(double windowSeconds, IReadOnlyList<ProcessCpuUse> processes, long units, string unit)
    {
        double? PerThousand(double seconds) => units > 0 ? Math.Round(seconds * 1000.0 / units, 4) : null;
        var total = processes.Sum(process => process.CpuSeconds);
        return new CpuReport(
            Math.Round(windowSeconds, 3),
            processes.Select(process => process with
            {
                CpuSeconds = Math.Round(process.CpuSeconds, 2),
                PerThousand = PerThousand(process.CpuSeconds),
                Cores = windowSeconds > 0 ? Math.Round(process.CpuSeconds / windowSeconds, 3) : 0,
            }).ToArray(),
            Math.Round(total, 2),
            PerThousand(total),
            units,
            unit,
            Environment.ProcessorCount);
    }

    /// <summary>
    /// One report over several windows of the same meter (a phase measured in segments that take
    /// turns with others): each process's CPU seconds and the windows' seconds added up, per 1,000
    /// <paramref name="units"/> counted over all of them.
    /// </summary>
    public static CpuReport Combine(IReadOnlyCollection<CpuReport> windows, long units, string unit)
    {
        var processes = windows
            .SelectMany(window => window.Processes)
            .GroupBy(process => (process.Name, process.Pid))
            .Select(group => new ProcessCpuUse(group.Key.Name, group.Key.Pid, group.Sum(process => process.CpuSeconds)))
            .ToArray();
        return Create(windows.Sum(window => window.WindowSeconds), processes, units, unit);
    }
}
