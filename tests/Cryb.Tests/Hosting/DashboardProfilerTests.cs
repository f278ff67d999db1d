using Cryb.Hosting;
using Cryb.Silo.Dashboard;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;

namespace Cryb.Tests.Hosting;

public sealed class DashboardProfilerTests
{
    [Theory]
    [InlineData("Development", null, true)]
    [InlineData("Production", null, false)]
    [InlineData("Staging", null, false)]
    [InlineData("Production", "true", true)]
    [InlineData("Development", "false", false)]
    public void The_grain_profiler_wraps_grain_calls_in_development_unless_the_setting_says_otherwise(string environment, string? setting, bool installed)
    {
        var settings = Settings(setting);
        var on = settings.GrainProfilerOn(new HostingEnvironment { EnvironmentName = environment });

        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo => silo.AddCrybDashboard(on));

        Assert.Equal(installed, builder.Services.Any(service =>
            service.ServiceType == typeof(IIncomingGrainCallFilter) && service.ImplementationType?.Name == "GrainProfilerFilter"));
        // The rest of the dashboard is there either way.
        Assert.Contains(builder.Services, service => service.ServiceType.FullName == "Orleans.Dashboard.Metrics.IGrainProfiler");
    }

    [Fact]
    public void A_grain_profiler_setting_that_is_not_a_boolean_stops_the_silo_naming_it()
    {
        var refusal = Assert.ThrowsAny<InvalidOperationException>(() => Settings("sometimes"));

        Assert.Contains("Dashboard:GrainProfiler", refusal.Message);
    }

    private static DashboardSettings Settings(string? grainProfiler) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Dashboard:GrainProfiler"] = grainProfiler })
            .Build()
            .BindValidated<DashboardSettings>(DashboardSettings.Section);
}
