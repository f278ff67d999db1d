using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cryb.Hosting.Health;

/// <summary>
/// The probes of every Cryb host. <c>/health/live</c> never touches a dependency (a PostgreSQL
/// outage must not get every pod restarted); <c>/health/ready</c> checks what serving needs;
/// <c>/health/startup</c> passes once the host has started.
/// </summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";
    public const string StartupTag = "startup";

    /// <summary>Liveness: the process answers. Never touches a dependency.</summary>
    public const string LivePath = "/health/live";

    /// <summary>Readiness: what serving needs answers.</summary>
    public const string ReadyPath = "/health/ready";

    /// <summary>Startup: the host finished starting.</summary>
    public const string StartupPath = "/health/startup";

    /// <summary>Registers the health check services and the startup check; add ready checks with <see cref="ReadyTag"/>.</summary>
    public static IHealthChecksBuilder AddCrybHealthChecks(this IServiceCollection services) =>
        services.AddHealthChecks().AddCheck<StartedHealthCheck>("started", tags: [StartupTag, ReadyTag]);

    public static WebApplication MapCrybHealth(this WebApplication app)
    {
        app.MapHealthChecks(LivePath, Options(_ => false));
        app.MapHealthChecks(ReadyPath, Options(check => check.Tags.Contains(ReadyTag)));
        app.MapHealthChecks(StartupPath, Options(check => check.Tags.Contains(StartupTag)));
        return app;
    }

    private static HealthCheckOptions Options(Func<HealthCheckRegistration, bool> predicate) => new()
    {
        Predicate = predicate,
        ResponseWriter = WriteJson,
    };

    // A body that says what failed, so an operator reading a probe failure knows where to look.
    private static Task WriteJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new { status = entry.Value.Status.ToString(), description = entry.Value.Description, error = entry.Value.Exception?.Message }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, JsonOptions);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
