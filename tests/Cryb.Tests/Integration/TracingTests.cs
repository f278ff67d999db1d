using System.Diagnostics;
using Cryb.Gateway.Auth;
using Cryb.Gateway.Hosting;
using Cryb.Hosting.Telemetry;
using Cryb.Silo.Hosting;
using Cryb.Telemetry;
using Cryb.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Cryb.Tests.Integration;

/// <summary>
/// A silo and a gateway hosted in this process with the production wiring plus an in-memory trace
/// exporter, so the test can read every span: one hub invocation must be one trace through the
/// gateway, the grain call and the PostgreSQL command.
/// </summary>
public sealed class TracingTests(TestServers servers)
{
    [Fact]
    public async Task One_trace_spans_the_hub_invocation_the_grain_call_and_the_postgres_insert()
    {
        var clusterId = "trace-" + Guid.NewGuid().ToString("N")[..8];
        var spans = new List<Activity>();
        var shared = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = servers.PostgresConnectionString,
            ["ConnectionStrings:Redis"] = servers.Redis.Configuration,
            ["Cluster:ClusterId"] = clusterId,
            ["Cluster:ServiceId"] = clusterId,
            // No OTLP endpoint here: without this the silo and gateway would record no trace.
            ["Telemetry:TraceSampleRatio"] = "1",
        };
        foreach (var (key, value) in TestAccounts.Configuration)
        {
            shared[key] = value;
        }

        var siloBuilder = Builder(shared, new()
        {
            ["Silo:SiloPort"] = FreePort.Next().ToString(),
            ["Silo:GatewayPort"] = FreePort.Next().ToString(),
            ["Silo:MigrateOnStart"] = "false",
        });
        siloBuilder.AddCrybSilo();
        await using var silo = siloBuilder.Build();
        silo.MapCrybSilo();

        var gatewayUrl = $"http://127.0.0.1:{FreePort.Next()}";
        var gatewayBuilder = Builder(shared, new()
        {
            ["Auth:SigningKey"] = ProcessCluster.SigningKey,
            ["Auth:DevTokens:Enabled"] = "true",
        }, gatewayUrl);
        // As the gateway's Program.cs does.
        gatewayBuilder.AddCrybTelemetry("cryb-gateway");
        gatewayBuilder.AddCrybGatewayMetrics();
        gatewayBuilder.AddCrybOrleansClient();
        gatewayBuilder.AddCrybAuthentication();
        gatewayBuilder.AddCrybChatHub();
        gatewayBuilder.AddCrybHubLimits();
        gatewayBuilder.AddCrybFanout();
        gatewayBuilder.AddCrybPresence();
        gatewayBuilder.AddCrybGatewayDrain();
        // Activity listeners see every source in the process: one exporter collects both hosts' spans.
        gatewayBuilder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans));
        await using var gateway = gatewayBuilder.Build();
        gateway.MapCrybGateway();

        await silo.StartAsync(TestContext.Current.CancellationToken);
        await gateway.StartAsync(TestContext.Current.CancellationToken);
        var token = gateway.Services.GetRequiredService<TokenIssuer>().Issue("tracer", "Tracer", TimeSpan.FromMinutes(5));
        await using (var client = await ChatTestClient.ConnectAsync(gatewayUrl, token, "tracer"))
        {
            var channel = await client.CreateChannelAsync("traced");
            await client.SendMessageAsync(channel.Id, "follow me");
        }

        gateway.Services.GetRequiredService<TracerProvider>().ForceFlush();
        List<Activity> all;
        lock (spans)
        {
            all = spans.ToList();
        }

        var invocation = all.Single(span => span.Source.Name == "Microsoft.AspNetCore.SignalR.Server" && span.DisplayName.Contains("SendMessage"));
        var trace = all.Where(span => span.TraceId == invocation.TraceId).ToList();
        var described = string.Join("; ", trace.Select(span => $"{span.Source.Name}/{span.Kind}/{span.DisplayName}"));
        Assert.True(trace.Any(span => TelemetryNames.OrleansActivitySources.Contains(span.Source.Name) && span.Kind == ActivityKind.Client),
            "no Orleans client span in the trace: " + described);
        Assert.True(trace.Any(span => TelemetryNames.OrleansActivitySources.Contains(span.Source.Name) && span.Kind == ActivityKind.Server),
            "no Orleans server span in the trace: " + described);
        // Npgsql names its spans after the database; the statement is in the query text tag.
        Assert.True(trace.Any(span => span.Source.Name == TelemetryNames.Npgsql
                && span.TagObjects.Any(tag => tag.Value is string text && text.Contains("INSERT INTO messages", StringComparison.Ordinal))),
            "no PostgreSQL INSERT INTO messages span in the trace: " + described);

        await gateway.StopAsync(TestContext.Current.CancellationToken);
        await silo.StopAsync(TestContext.Current.CancellationToken);
    }

    private static WebApplicationBuilder Builder(Dictionary<string, string?> shared, Dictionary<string, string?> own, string? url = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(shared.Concat(own));
        builder.WebHost.UseUrls(url ?? $"http://127.0.0.1:{FreePort.Next()}");
        return builder;
    }
}
