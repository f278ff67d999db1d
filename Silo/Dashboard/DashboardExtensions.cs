using Cryb.Hosting;
using Microsoft.AspNetCore.Authentication;
using Orleans.Dashboard;

namespace Cryb.Silo.Dashboard;

public static class DashboardExtensions
{
    public const string RoutePrefix = "/dashboard";

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
