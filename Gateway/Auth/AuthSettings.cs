using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Cryb.Gateway.Auth;

/// <summary>
/// How the gateway checks bearer tokens (configuration section <c>Auth</c>): against an HMAC key
/// of its own, an OpenID Connect authority's published keys, or both.
/// </summary>
public sealed class AuthSettings : IValidatableObject
{
    public const string Section = "Auth";
    public const int MinimumKeyBytes = 32;

    [Required]
    public string Issuer { get; set; } = "cryb";

    [Required]
    public string Audience { get; set; } = "cryb";

    /// <summary>
    /// HMAC-SHA256 key, at least 32 bytes of UTF-8. Set it through a secret, never in a file.
    /// Optional when <see cref="Authority"/> is set; dev tokens are signed with it.
    /// </summary>
    public string SigningKey { get; set; } = "";

    /// <summary>
    /// An OpenID Connect provider (for example <c>https://login.example.com/realms/cryb</c>): tokens
    /// signed with the keys of its JWKS are accepted, and its discovery document's issuer too.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>The discovery document, when it is not at <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string? MetadataAddress { get; set; }

    /// <summary>Fetch the discovery document and keys only over HTTPS; turn off for a local provider only.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Tolerated clock difference; small, because an expired token must stop working soon.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public DevTokenSettings DevTokens { get; set; } = new();

    public byte[] SigningKeyBytes => Encoding.UTF8.GetBytes(SigningKey);

    public bool UsesAuthority => !string.IsNullOrWhiteSpace(Authority);

    public bool HasSigningKey => SigningKey.Length > 0;

    /// <summary>
    /// Only the algorithms of the configured keys: naming them keeps a token from choosing how it is
    /// checked (an HMAC token "signed" with an authority's public key, or <c>alg: none</c>).
    /// </summary>
    public IEnumerable<string> ValidAlgorithms =>
        (HasSigningKey ? [SecurityAlgorithms.HmacSha256] : Array.Empty<string>())
        .Concat(UsesAuthority ? AuthorityAlgorithms : []);

    private static readonly string[] AuthorityAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // A short key is refused even next to an authority: it would still be accepted for tokens.
        if ((!UsesAuthority || HasSigningKey) && SigningKeyBytes.Length < MinimumKeyBytes)
        {
            yield return new ValidationResult(
                $"must be at least {MinimumKeyBytes} bytes (environment variable Auth__SigningKey), or set Auth__Authority", [nameof(SigningKey)]);
        }

        if (DevTokens.Enabled && !HasSigningKey)
        {
            yield return new ValidationResult(
                "is required while Auth__DevTokens__Enabled is true: dev tokens are signed with it (environment variable Auth__SigningKey)", [nameof(SigningKey)]);
        }

        if (UsesAuthority)
        {
            foreach (var (name, address) in new[] { (nameof(Authority), Authority), (nameof(MetadataAddress), MetadataAddress) })
            {
                if (string.IsNullOrWhiteSpace(address))
                {
                    continue;
                }

                if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
                {
                    yield return new ValidationResult($"must be an absolute http(s) URL (environment variable Auth__{name})", [name]);
                }
                else if (RequireHttpsMetadata && uri.Scheme != "https")
                {
                    yield return new ValidationResult(
                        $"must use https while Auth__RequireHttpsMetadata is true (environment variable Auth__{name})", [name]);
                }
            }
        }
    }
}

/// <summary>The development token endpoint, <c>POST /auth/dev-token</c>.</summary>
public sealed class DevTokenSettings
{
    /// <summary>Issue tokens to anyone who asks. For local development only; refused in Production.</summary>
    public bool Enabled { get; set; }

    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(12);
}
