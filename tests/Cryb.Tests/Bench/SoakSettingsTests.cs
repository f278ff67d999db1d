using Cryb.Bench;
using System.Text.Json;
using Cryb.Bench.Cli;
using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;
using Cryb.Bench.Scenarios;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Bench;

/// <summary>The pure parts of <c>soak</c>: durations on the command line, its default rate, and the memory verdict.</summary>
public sealed class SoakSettingsTests
{
    [Theory]
    [InlineData("45", 45)]
    [InlineData("2.5", 2.5)]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("1.5h", 5400)]
    [InlineData("30M", 1800)]
    public void A_duration_is_seconds_or_a_number_with_a_unit(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), new ArgValue("duration", text).Seconds(min: 1));

    [Theory]
    [InlineData("30x")]
    [InlineData("m")]
    [InlineData("")]
    [InlineData("0.5s")]
    public void A_duration_that_is_not_one_names_the_option(string text) =>
        Assert.StartsWith("--duration wants seconds", Assert.Throws<UsageException>(() => new ArgValue("duration", text).Seconds(min: 1)).Message);

    [Fact]
    public void The_default_rate_is_half_the_committed_ramps_best_step()
    {
        // The ramp's comparison: Cryb's row is the best step within p99 <= 100 ms.
        using var ramp = JsonDocument.Parse(File.ReadAllText(Path.Combine(BuildOutput.RepositoryRoot, "docs", "bench", "ramp-vs-socketio", "result.json")));
        var cryb = ramp.RootElement.GetProperty("systems")[0];
        Assert.True(cryb.GetProperty("endToEnd").GetProperty("p99").GetDouble() <= 100);
        var defaults = new SoakOptions();
        var half = cryb.GetProperty("offeredSendsPerSecond").GetDouble() / 2 / defaults.Senders;

        Assert.Equal(half, defaults.Rate, tolerance: 0.05);
    }

    [Fact]
    public void Memory_is_judged_from_minute_5_of_the_measured_run_or_a_sixth_of_a_shorter_one()
    {
        Assert.Equal(60 + 300, SoakScenario.BaselineSeconds(TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(30)));
        Assert.Equal(60 + 30, SoakScenario.BaselineSeconds(TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(3)));
    }

    [Fact]
    public void Growth_is_measured_from_the_first_sample_at_the_baseline_to_the_last()
    {
        IReadOnlyList<ResourceSample> samples =
        [
            Sample(0, silo: 100, gateway: 50, bench: 10),
            Sample(300, silo: 200, gateway: 100, bench: 20),
            Sample(1000, silo: 210, gateway: 120, bench: 80),
        ];

        var growth = MemoryGrowth.Of(samples, baselineSeconds: 250, limitPercent: 10).ToDictionary(g => g.Process);

        Assert.Equal(300, growth["silo-1"].BaselineAtSeconds);
        Assert.Equal(5, growth["silo-1"].GrowthPercent);
        Assert.True(growth["silo-1"].Passed);
        Assert.Equal(20, growth["gateway-1"].GrowthPercent);
        Assert.Contains("gateway-1 resident memory grew 20%", growth["gateway-1"].Failure);
        // The generator grows with its bit sets by design: shown, never judged.
        Assert.False(growth["bench"].Judged);
        Assert.True(growth["bench"].Passed);
    }

    [Fact]
    public void A_process_gone_by_the_end_fails_and_no_late_sample_judges_nothing()
    {
        IReadOnlyList<ResourceSample> samples = [Sample(0, 100, 50, 10), Sample(600, 0, 50, 10)];

        Assert.Contains("not running at the end", MemoryGrowth.Of(samples, 0, 10).Single(g => g.Process == "silo-1").Failure);
        Assert.Empty(MemoryGrowth.Of(samples, baselineSeconds: 601, limitPercent: 10));
    }

    [Fact]
    public void The_breakdown_splits_anonymous_memory_into_what_the_gc_holds_and_native()
    {
        var baseline = Sample(360, 300_000, 0, 0) with
        {
            Parts = new Dictionary<string, ResidentMemory> { ["silo-1"] = new(300_000, 150_000, 100_000, 50_000), ["postgres"] = new(35_000, 5_000, 30_000, 0) },
            Runtime = new Dictionary<string, RuntimeMemory> { ["silo-1"] = new(GcHeapKb: 100_000, GcCommittedKb: 120_000, JitMethods: 30_000) },
        };
        var end = Sample(1860, 330_000, 0, 0) with
        {
            Parts = new Dictionary<string, ResidentMemory> { ["silo-1"] = new(330_000, 175_000, 101_000, 54_000), ["postgres"] = new(35_000, 5_000, 30_000, 0) },
            Runtime = new Dictionary<string, RuntimeMemory> { ["silo-1"] = new(GcHeapKb: 101_000, GcCommittedKb: 140_000, JitMethods: 32_000) },
        };

        var rows = MemoryBreakdown.Of(baseline, end).ToDictionary(row => row.Process);

        Assert.Equal(30_000, rows["silo-1"].Baseline.NativeKb);
        Assert.Equal(35_000, rows["silo-1"].End.NativeKb);
        Assert.Equal(140_000, rows["silo-1"].End.GcCommittedKb);
        Assert.Equal(32_000, rows["silo-1"].End.JitMethods);
        // Not .NET: no GC figures, so nothing is said to be native or managed.
        Assert.Null(rows["postgres"].End.NativeKb);
        Assert.Empty(MemoryBreakdown.Of(null, end));
    }

    [Fact]
    public void The_gc_figures_come_from_the_runtime_meter_on_a_metrics_page()
    {
        const string exposition = """
            # TYPE dotnet_gc_last_collection_heap_size_bytes gauge
            dotnet_gc_last_collection_heap_size_bytes{otel_scope_name="System.Runtime",gc_heap_generation="gen0"} 1048576
            dotnet_gc_last_collection_heap_size_bytes{otel_scope_name="System.Runtime",gc_heap_generation="gen2"} 2097152
            dotnet_gc_last_collection_heap_size_bytes{otel_scope_name="System.Runtime",gc_heap_generation="loh"} 1048576
            dotnet_gc_last_collection_memory_committed_size_bytes{otel_scope_name="System.Runtime"} 8388608
            dotnet_jit_compiled_methods_total{otel_scope_name="System.Runtime"} 31234
            """;

        Assert.Equal(new RuntimeMemory(GcHeapKb: 4096, GcCommittedKb: 8192, JitMethods: 31234), RuntimeMemory.Parse(exposition));
        Assert.Null(RuntimeMemory.Parse("redis_up 1\n"));
    }

    [Fact]
    public void A_metrics_url_is_named_like_a_process()
    {
        var context = new BenchContext();
        var metrics = CommonOptions.Specs.Single(spec => spec.Name == "metrics");

        context = metrics.Set(context, new ArgValue("metrics", "silo-1=http://127.0.0.1:8080/metrics"));
        context = metrics.Set(context, new ArgValue("metrics", "gateway-1=http://127.0.0.1:5080/metrics"));

        Assert.Equal("http://127.0.0.1:8080/metrics", context.MetricsUrls["silo-1"]);
        Assert.Equal(2, context.MetricsUrls.Count);
        Assert.StartsWith("--metrics wants name=url", Assert.Throws<UsageException>(() => metrics.Set(context, new ArgValue("metrics", "silo-1"))).Message);
    }

    private static ResourceSample Sample(double at, long silo, long gateway, long bench) =>
        new(at, new Dictionary<string, long> { ["silo-1"] = silo, ["gateway-1"] = gateway, ["bench"] = bench }, new Dictionary<string, double>());
}
