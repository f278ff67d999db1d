using Cryb.Bench.Measurement;

namespace Cryb.Tests.Bench;

/// <summary>The arithmetic behind CPU seconds per process tree and memory per connection.</summary>
public sealed class ProcessMeasurementTests
{
    [Fact]
    public void A_stat_line_is_read_from_the_last_parenthesis_on()
    {
        // A command name with spaces and parentheses of its own; fields 14 to 17 are utime, stime, cutime, cstime.
        var stat = ProcStat.Parse("4242 (post (gres) x) S 17 4242 4242 0 -1 4194560 1 0 0 0 250 75 30 12 20 0 1 0 100 0 0");

        Assert.Equal(new ProcStat(4242, 17, 250, 75, 30, 12), stat);
        Assert.Equal(367, stat.TotalTicks);
    }

    [Fact]
    public void A_tree_counts_its_root_all_descendants_and_their_reaped_children_and_nothing_else()
    {
        ProcStat[] table =
        [
            new(1, 0, 9_999, 9_999, 0, 0),    // init: not in the tree
            new(100, 1, 10, 5, 20, 5),        // the postmaster, with 25 ticks of backends it reaped
            new(101, 100, 70, 30, 0, 0),      // a backend
            new(102, 101, 40, 10, 5, 5),      // a grandchild
            new(200, 1, 500, 500, 0, 0),      // another process entirely
        ];

        Assert.Equal((40 + 100 + 60) / ProcStat.TicksPerSecond, ProcessCpu.TreeSeconds(100, table));
        Assert.Equal(1.6, ProcessCpu.TreeSeconds(101, table));
        Assert.Equal(0, ProcessCpu.TreeSeconds(999, table));
        // The generator alone: a test host's children are the cluster it loads.
        Assert.Equal(0.15, ProcessCpu.OwnSeconds(100, table));
    }

    [Fact]
    public void The_generator_can_read_its_own_cpu_time_from_proc()
    {
        var stat = ProcStat.Read(Environment.ProcessId);

        Assert.NotNull(stat);
        Assert.True(ProcessCpu.TreeSeconds(Environment.ProcessId, ProcStat.ReadAll()) > 0);
        Assert.True(ResidentMemory.Of(Environment.ProcessId)?.ResidentKb > 0);
    }

    [Fact]
    public void Cpu_per_thousand_units_and_cores_busy_come_from_the_window()
    {
        var report = CpuReport.Create(
            windowSeconds: 2,
            [new ProcessCpuUse("gateway-1", 10, 3), new ProcessCpuUse("silo-1", 11, 1)],
            units: 8_000,
            unit: "deliveries");

        Assert.Equal(4, report.TotalCpuSeconds);
        Assert.Equal(0.5, report.TotalPerThousand);
        Assert.Equal(0.375, report.Processes[0].PerThousand);
        Assert.Equal(1.5, report.Processes[0].Cores);
        Assert.Equal(0.5, report.Processes[1].Cores);
        Assert.Null(CpuReport.Create(2, [new ProcessCpuUse("idle", 1, 1)], 0, "deliveries").TotalPerThousand);
    }


    [Fact]
    public void Windows_combined_add_each_process_cpu_seconds_and_the_windows_seconds_and_count_units_over_all()
    {
        var first = CpuReport.Create(2, [new ProcessCpuUse("gateway-1", 10, 3), new ProcessCpuUse("silo-1", 11, 1)], 0, "deliveries");
        var second = CpuReport.Create(3, [new ProcessCpuUse("gateway-1", 10, 2), new ProcessCpuUse("silo-1", 11, 4)], 0, "deliveries");

        var both = CpuReport.Combine([first, second], units: 2_000, unit: "messages");

        Assert.Equal(5, both.WindowSeconds);
        Assert.Equal(["gateway-1", "silo-1"], both.Processes.Select(process => process.Name));
        Assert.Equal((5.0, 5.0), (both.Processes[0].CpuSeconds, both.Processes[1].CpuSeconds));
        Assert.Equal((1.0, 1.0), (both.Processes[0].Cores, both.Processes[1].Cores)); // 5 CPU seconds over 5 s
        Assert.Equal((10.0, 5.0, 2_000L, "messages"), (both.TotalCpuSeconds, both.TotalPerThousand!.Value, both.Units, both.Unit));
    }
    [Fact]
    public void The_slope_of_points_on_a_line_is_exact_and_of_noisy_points_is_least_squares()
    {
        Assert.Equal(20, LeastSquares.Slope([(0, 100), (1000, 20_100), (2000, 40_100)]));
        // Mean (1.5, 0.5): covariance 1, variance 5.
        Assert.Equal(0.2, LeastSquares.Slope([(0, 0), (1, 1), (2, 0), (3, 1)]), 12);
        Assert.Equal(0, LeastSquares.Slope([(5, 1)]));
        Assert.Equal(0, LeastSquares.Slope([(5, 1), (5, 3)]));
    }

    [Fact]
    public void Resident_memory_and_its_parts_are_the_Rss_lines_of_a_status_file()
    {
        var memory = ResidentMemory.Parse("Name:\tdotnet\nVmPeak:\t  99999 kB\nVmRSS:\t   12345 kB\nRssAnon:\t    8000 kB\nRssFile:\t    4000 kB\nRssShmem:\t     345 kB\nThreads:\t20\n");

        Assert.Equal(new ResidentMemory(12_345, 8_000, 4_000, 345), memory);
        // Kernels before 4.5 print no parts: the total still counts.
        Assert.Equal(new ResidentMemory(777, 0, 0, 0), ResidentMemory.Parse("VmRSS:\t 777 kB\n"));
        Assert.Null(ResidentMemory.Parse("Name:\tzombie\n"));
    }

    [Fact]
    public void A_process_is_named_on_the_command_line_as_name_equals_pid()
    {
        var process = MonitoredProcess.Parse("gateway-1=4321");

        Assert.Equal(new MonitoredProcess("gateway-1", 4321), process);
        Assert.True(process.WithDescendants);
        Assert.False(MonitoredProcess.Generator.WithDescendants);
        Assert.True(process.IsGateway);
        Assert.False(process.IsSilo);
        Assert.Throws<ArgumentException>(() => MonitoredProcess.Parse("gateway-1"));
        Assert.Throws<ArgumentException>(() => MonitoredProcess.Parse("silo=-3"));
    }
}
