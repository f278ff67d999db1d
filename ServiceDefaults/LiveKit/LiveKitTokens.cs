using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cryb.Hosting.LiveKit;

/// <summary>
/// Signs and checks the HS256 JWTs LiveKit speaks: access tokens for participants and for our own
/// RoomService calls (<c>iss</c> the API key, <c>sub</c> the identity, <c>nbf</c>/<c>exp</c>, and
/// the <c>video</c> grant), and the tokens LiveKit signs its webhooks with.
/// </summary>
public sealed class LiveKitTokens(IOptions<LiveKitOptions> options, TimeProvider time)
{
    /// <summary>How far LiveKit's clock and ours may disagree, as LiveKit's own SDKs allow.</summary>
    private static readonly TimeSpan ClockTolerance = TimeSpan.FromSeconds(10);

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>
    /// A token for <paramref name="identity"/>, valid from now for <paramref name="lifetime"/>.
    /// LiveKit checks <c>exp</c> only when the participant connects, so a short lifetime bounds how
    /// long a token can be replayed, not how long a call lasts.
    /// </summary>
    public string Sign(string? identity, VideoGrant grant, TimeSpan lifetime, string? name = null, string? metadata = null, string? bodySha256 = null)
    {
        var settings = Settings();
        var now = time.GetUtcNow();
        var claims = new Dictionary<string, object> { ["video"] = grant.ToClaim() };
        if (identity is not null)
        {
            claims["sub"] = identity;
        }

        if (name is not null)
        {
            claims["name"] = name;
        }

        if (metadata is not null)
        {
            claims["metadata"] = metadata;
        }

        if (bodySha256 is not null)
        {
            claims["sha256"] = bodySha256;
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.ApiKey,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(Key(settings), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>
    /// The claims of a token signed with our API key and secret, still valid; null for anything
    /// else (a wrong key or signature, expired, not yet valid, not HS256, not a JWT).
    /// </summary>
    public async Task<JsonWebToken?> VerifyAsync(string token)
    {
        var settings = Settings();
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = settings.ApiKey,
            ValidateAudience = false,
            IssuerSigningKey = Key(settings),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireExpirationTime = true,
            ClockSkew = ClockTolerance,
            LifetimeValidator = (notBefore, expires, _, _) =>
                (notBefore is null || notBefore.Value - ClockTolerance <= time.GetUtcNow().UtcDateTime)
                && expires is not null && time.GetUtcNow().UtcDateTime <= expires.Value + ClockTolerance,
        });
        return result.IsValid ? (JsonWebToken)result.SecurityToken : null;
    }

    private LiveKitOptions Settings()
    {
        var settings = options.Value;
        return settings.Enabled ? settings : throw new InvalidOperationException("LiveKit is not configured (Voice__LiveKit__Url, __ApiKey, __ApiSecret).");
    }

    private static SymmetricSecurityKey Key(LiveKitOptions settings) => new(Encoding.UTF8.GetBytes(settings.ApiSecret!));
}
