using Cryb.Hosting.Telemetry;
using Microsoft.Extensions.Configuration;

namespace Cryb.Tests.Hosting;

public sealed class TraceSampleRatioTests
{
    [Theory]
    [InlineData(null, null, 0.0)]
    [InlineData("http://collector:4317", null, 1.0)]
    [InlineData("http://collector:4317", "0.05", 0.05)]
    [InlineData(null, "1", 1.0)]
    public void Traces_are_recorded_when_they_are_exported_unless_a_ratio_is_set(string? endpoint, string? ratio, double expected)
    {
        var configuration = Configuration(endpoint, ratio);

        Assert.Equal(expected, TelemetryExtensions.TraceSampleRatio(configuration));
    }

    [Fact]
    public void A_ratio_outside_zero_to_one_stops_the_host_naming_the_setting()
    {
        var refusal = Assert.Throws<InvalidOperationException>(() => TelemetryExtensions.TraceSampleRatio(Configuration(null, "5")));

        Assert.Contains("Telemetry__TraceSampleRatio", refusal.Message);
    }

    private static IConfiguration Configuration(string? endpoint, string? ratio) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint,
            ["Telemetry:TraceSampleRatio"] = ratio,
        }).Build();
}
