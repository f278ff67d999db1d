using Microsoft.Extensions.Options;
using OpenTelemetry.Instrumentation.AspNetCore;

namespace Cryb.Gateway.Auth;

/// <summary>Keeps bearer tokens, the <c>access_token</c> query string included, out of logs and traces.</summary>
public static class AccessTokenPrivacyExtensions
{
    public static IServiceCollection AddAccessTokenPrivacy(this IServiceCollection services)
    {
        services.AddSingleton<IPostConfigureOptions<LoggerFilterOptions>, PinnedLogCategories>();

        // The ASP.NET Core instrumentation redacts query values in url.query by default, but one
        // environment variable (OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_DISABLE_URL_QUERY_REDACTION)
        // turns that off; on the gateway a query can hold the token, so redact it here regardless.
        // Enrichment runs after the instrumentation has set its tags.
        services.PostConfigure<AspNetCoreTraceInstrumentationOptions>(options =>
        {
            var enrich = options.EnrichWithHttpRequest;
            options.EnrichWithHttpRequest = (activity, request) =>
            {
                enrich?.Invoke(activity, request);
                if (request.QueryString.HasValue)
                {
                    activity.SetTag("url.query", string.Join('&', request.Query.Keys.Select(key => $"{key}=Redacted")));
                }
            };
        });
        return services;
    }
}
