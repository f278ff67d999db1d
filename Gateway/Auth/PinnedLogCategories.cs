using Microsoft.Extensions.Options;

namespace Cryb.Gateway.Auth;

/// <summary>
/// Holds the log categories that can write a bearer token at <see cref="LogLevel.Warning"/> or
/// above, whatever the configuration says, for every logging provider.
/// </summary>
/// <remarks>
/// ASP.NET Core's hosting diagnostics log each request's URL with its query string at Information
/// ("Request starting ... /hubs/chat?id=...&amp;access_token=eyJ..."), before any middleware runs,
/// so the URL cannot be redacted first. The request line is logged only there; pinning the
/// category is the one fix that does not depend on the order of middleware. Operators lose the
/// per-request log lines, which the <c>http.server.*</c> metrics and the request traces (query
/// values redacted, see <see cref="AccessTokenPrivacyExtensions"/>) replace.
///
/// A rule without a provider loses to any provider-specific rule (<c>Logging:Console:LogLevel:...</c>),
/// so a pin is added per registered provider, after the configuration's rules (a later rule wins a
/// tie), and rules at least as specific as a pin (the same name, or a wildcard spelling of it) are
/// dropped. This runs on every configuration reload too, as a post-configuration.
/// </remarks>
public sealed class PinnedLogCategories(IServiceProvider services) : IPostConfigureOptions<LoggerFilterOptions>
{
    /// <summary>
    /// The request URL (hosting), and JwtBearer, whose failure messages carry IdentityModel's text
    /// about the token and which would log every refusal a second time after <see cref="AuthenticationAudit"/>.
    /// </summary>
    public static readonly IReadOnlyList<string> Categories =
    [
        "Microsoft.AspNetCore.Hosting.Diagnostics",
        "Microsoft.AspNetCore.Authentication",
    ];

    public const LogLevel MinimumLevel = LogLevel.Warning;

    public void PostConfigure(string? name, LoggerFilterOptions options)
    {
        foreach (var category in Categories)
        {
            for (var i = options.Rules.Count - 1; i >= 0; i--)
            {
                if (options.Rules[i].CategoryName is { } pattern && pattern.Length >= category.Length && Matches(pattern, category))
                {
                    options.Rules.RemoveAt(i);
                }
            }

            options.Rules.Add(new LoggerFilterRule(null, category, MinimumLevel, null));
            // The providers exist by now: the logger factory resolves them before it reads its filter options.
            foreach (var provider in services.GetServices<ILoggerProvider>())
            {
                options.Rules.Add(new LoggerFilterRule(provider.GetType().FullName, category, MinimumLevel, null));
            }
        }
    }

    /// <summary>The logging rule selector's matching: a prefix, or a prefix and suffix around one <c>*</c>.</summary>
    private static bool Matches(string pattern, string category)
    {
        var wildcard = pattern.IndexOf('*');
        var prefix = wildcard < 0 ? pattern : pattern[..wildcard];
        var suffix = wildcard < 0 ? "" : pattern[(wildcard + 1)..];
        return category.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
            && category.EndsWith(suffix, StringComparison.OrdinalIgnoreCase);
    }
}
