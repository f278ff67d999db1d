using Cryb.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Cryb.Hosting.Telemetry;

/// <summary>
/// Telemetry and logging, wired once for silos and gateways: OpenTelemetry metrics (ASP.NET Core,
/// .NET runtime, Orleans, Npgsql, Cryb) scraped at <c>/metrics</c>, traces across hub calls, grain
/// calls and PostgreSQL commands, OTLP export when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, and
/// JSON logs with trace ids outside Development.
/// </summary>
public static class TelemetryExtensions
{
    public const string MetricsPath = "/metrics";

    public static WebApplicationBuilder AddCrybTelemetry(this WebApplicationBuilder builder, string serviceName)
    {
        builder.Logging.Configure(options => options.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        if (!builder.Environment.IsDevelopment())
        {
            // One JSON object per line for log shippers; scopes carry the trace and span ids.
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(options =>
            {
                options.IncludeScopes = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceInstanceId: Environment.MachineName + "-" + Environment.ProcessId))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(TelemetryNames.Cryb, TelemetryNames.OrleansMeter, TelemetryNames.Npgsql)
                .AddView(instrument => instrument.Unit == "ms" && instrument.Meter.Name == TelemetryNames.Cryb
                    ? new ExplicitBucketHistogramConfiguration { Boundaries = LatencyBucketsMs }
                    : null)
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(TraceSampleRatio(builder.Configuration))))
                .AddAspNetCoreInstrumentation(options => options.Filter = IsTraced)
                .AddSource(TelemetryNames.Cryb, TelemetryNames.Npgsql, "Microsoft.AspNetCore.SignalR.Server")
                .AddSource(TelemetryNames.OrleansActivitySources));

        if (ExportsOverOtlp(builder.Configuration))
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// The share of traces recorded where no caller decided (<c>Telemetry:TraceSampleRatio</c>): all
    /// of them when an OTLP endpoint receives them, none otherwise. Recording every hub call, grain
    /// call and PostgreSQL command for no exporter cost CPU on the hot path; a caller's sampled
    /// <c>traceparent</c> is still followed.
    /// </summary>
    public static double TraceSampleRatio(IConfiguration configuration)
    {
        var ratio = configuration.GetValue("Telemetry:TraceSampleRatio", ExportsOverOtlp(configuration) ? 1.0 : 0.0);
        return ratio is >= 0 and <= 1
            ? ratio
            : throw new InvalidOperationException($"Invalid setting Telemetry:TraceSampleRatio: {ratio} is not between 0 and 1 (environment variable Telemetry__TraceSampleRatio).");
    }

    private static bool ExportsOverOtlp(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public static WebApplication MapCrybMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }

    /// <summary>Chat latencies live in milliseconds: the default buckets (up to 10 s) would put them all in one.</summary>
    private static readonly double[] LatencyBucketsMs = [1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 250, 500, 1000, 2500, 5000];

    // Probes and scrapes every few seconds would drown the traces that matter.
    private static bool IsTraced(HttpContext context) =>
        !context.Request.Path.StartsWithSegments("/health") && !context.Request.Path.StartsWithSegments(MetricsPath);
}
