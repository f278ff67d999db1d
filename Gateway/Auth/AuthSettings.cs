using System.ComponentModel.DataAnnotations;
using System.Text;

namespace Cryb.Gateway.Auth;

/// <summary>How the gateway checks bearer tokens (configuration section <c>Auth</c>).</summary>
public sealed class AuthSettings : IValidatableObject
{
    public const string Section = "Auth";
    public const int MinimumKeyBytes = 32;

    [Required]
    public string Issuer { get; set; } = "cryb";

    [Required]
    public string Audience { get; set; } = "cryb";

    /// <summary>HMAC-SHA256 key, at least 32 bytes of UTF-8. Set it through a secret, never in a file.</summary>
    public string SigningKey { get; set; } = "";

    /// <summary>Tolerated clock difference; small, because an expired token must stop working soon.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public DevTokenSettings DevTokens { get; set; } = new();

    public byte[] SigningKeyBytes => Encoding.UTF8.GetBytes(SigningKey);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SigningKeyBytes.Length < MinimumKeyBytes)
        {
            yield return new ValidationResult(
                $"must be at least {MinimumKeyBytes} bytes (environment variable Auth__SigningKey)", [nameof(SigningKey)]);
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
