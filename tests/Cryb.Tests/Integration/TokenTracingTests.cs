using System.Collections.ObjectModel;
using System.Diagnostics;
using Cryb.Gateway.Auth;
using Cryb.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace Cryb.Tests.Integration;

/// <summary>
/// Request traces never carry the token, even with the instrumentation's own query redaction
/// switched off: the gateway's privacy wiring redacts <c>url.query</c> itself.
/// </summary>
public sealed class TokenTracingTests
{
    [Fact]
    public async Task Url_query_values_are_redacted_even_when_the_instrumentation_is_told_not_to()
    {
        var spans = new ExportedSpans();
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_DISABLE_URL_QUERY_REDACTION"] = "true",
        });
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddInMemoryExporter(spans));
        builder.Services.AddAccessTokenPrivacy();
        await using var app = builder.Build();
        app.MapGet("/hubs/probe", () => "ok");
        await app.StartAsync(TestContext.Current.CancellationToken);
        var token = TestTokens.Create("alice");

        using var http = new HttpClient();
        await http.GetStringAsync($"{url}/hubs/probe?id=abc&access_token={token}", TestContext.Current.CancellationToken);
        await spans.Probe.Task.WithinAsync(TimeSpan.FromSeconds(15), "the request's server span to be exported");

        var span = spans.ToArray().Single(ExportedSpans.IsProbe);
        Assert.Equal("id=Redacted&access_token=Redacted", span.GetTagItem("url.query"));
        Assert.DoesNotContain(span.TagObjects, tag => tag.Value?.ToString()?.Contains(TestTokens.SignatureOf(token), StringComparison.Ordinal) is true);
    }

    /// <summary>The exporter's list of finished spans; it says when the probe request's span is in.</summary>
    private sealed class ExportedSpans : Collection<Activity>
    {
        public TaskCompletionSource Probe { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static bool IsProbe(Activity span) => span.GetTagItem("url.path") as string == "/hubs/probe";

        public Activity[] ToArray()
        {
            lock (Items)
            {
                return [.. Items];
            }
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (Items)
            {
                base.InsertItem(index, item);
            }

            if (IsProbe(item))
            {
                Probe.TrySetResult();
            }
        }
    }
}
