using System.ComponentModel.DataAnnotations;

namespace Cryb.Gateway.Auth;

/// <summary>Which browser pages may use the gateway (configuration section <c>Cors</c>).</summary>
public sealed class BrowserOriginSettings : IValidatableObject
{
    public const string Section = "Cors";

    /// <summary>
    /// Origins (<c>https://chat.example.com</c>: scheme, host and port, no path) whose pages may call
    /// the hub and the dev-token endpoint. The gateway's own origin is always allowed; requests
    /// without an <c>Origin</c> header (native apps, server-side clients) are not affected.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var origin in AllowedOrigins)
        {
            if (Normalize(origin) is null)
            {
                yield return new ValidationResult(
                    $"'{origin}' is not an origin such as https://chat.example.com (scheme, host and optional port; no path, no '*') (environment variable Cors__AllowedOrigins__N)",
                    [nameof(AllowedOrigins)]);
            }
        }
    }

    /// <summary>
    /// The origin as browsers send it (lower case, no trailing slash, default port left out), or
    /// <see langword="null"/> when it is not one. A wildcard is refused: with credentials allowed it
    /// would let any page act with the user's cookies and tokens.
    /// </summary>
    public static string? Normalize(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && uri.Scheme is "https" or "http"
        && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
        && !origin.Contains('*')
            ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant()
            : null;
}
