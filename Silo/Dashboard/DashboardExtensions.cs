using Cryb.Hosting;
using Microsoft.AspNetCore.Authentication;
using Orleans.Dashboard;

namespace Cryb.Silo.Dashboard;

public static class DashboardExtensions
{
    public const string RoutePrefix = "/dashboard";

    /// <summary>The dashboard package's per-call profiling filter, which it registers with no way to leave it out.</summary>
    private const string GrainProfilerFilter = "Orleans.Dashboard.Implementation.GrainProfilerFilter";

    /// <summary>
    /// The Orleans dashboard on this silo; its grain profiler only if <paramref name="grainProfiler"/>
    /// (<see cref="DashboardSettings.GrainProfiler"/>). The package always installs the profiler's
    /// grain call filter and only switches its timing on while the dashboard is open; the filter is
    /// an extra async step on every grain call even then, so off means the filter is not there.
    /// </summary>
    public static ISiloBuilder AddCrybDashboard(this ISiloBuilder siloBuilder, bool grainProfiler)
    {
        siloBuilder.AddDashboard();
        if (!grainProfiler)
        {
            var filter = siloBuilder.Services.SingleOrDefault(service =>
                    service.ServiceType == typeof(IIncomingGrainCallFilter) && service.ImplementationType?.FullName == GrainProfilerFilter)
                ?? throw new InvalidOperationException(
                    $"Dashboard:GrainProfiler is off, but the dashboard package no longer registers {GrainProfilerFilter}: find how this version installs its profiler.");
            siloBuilder.Services.Remove(filter);
        }

        return siloBuilder;
    }

    /// <summary>Outside Development the dashboard needs a username and password, or the silo does not start.</summary>
    public static WebApplicationBuilder AddCrybDashboardAuthentication(this WebApplicationBuilder builder)
    {
        if (builder.Environment.IsDevelopment())
        {
            return builder;
        }

        var settings = builder.Configuration.BindValidated<DashboardSettings>(DashboardSettings.Section);
        if (string.IsNullOrWhiteSpace(settings.Username) || settings.Password.Length < 12)
        {
            throw new InvalidOperationException(
                "Outside Development the Orleans dashboard requires Dashboard:Username and a Dashboard:Password of at least 12 characters " +
                "(environment variables Dashboard__Username, Dashboard__Password).");
        }

        builder.Services.AddSingleton(settings);
        builder.Services.AddAuthentication(BasicAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(BasicAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization();
        return builder;
    }

    public static WebApplication MapCrybDashboard(this WebApplication app)
    {
        var dashboard = app.MapOrleansDashboard(routePrefix: RoutePrefix);
        if (!app.Environment.IsDevelopment())
        {
            app.UseAuthentication();
            app.UseAuthorization();
            dashboard.RequireAuthorization();
        }

        app.MapGet("/", () => Results.Redirect(RoutePrefix + "/"));
        return app;
    }
}
