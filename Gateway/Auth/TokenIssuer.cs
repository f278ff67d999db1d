using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cryb.Gateway.Auth;

/// <summary>Signs tokens the gateway itself accepts; used by the dev-token endpoint.</summary>
public sealed class TokenIssuer(AuthSettings settings, TimeProvider time)
{
    public const string SubjectClaim = "sub";
    public const string NameClaim = "name";

    private readonly JsonWebTokenHandler _handler = new();
    private readonly SigningCredentials _credentials =
        new(new SymmetricSecurityKey(settings.SigningKeyBytes), SecurityAlgorithms.HmacSha256);

    public string Issue(string userId, string displayName, TimeSpan lifetime)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            Subject = new ClaimsIdentity([new Claim(SubjectClaim, userId), new Claim(NameClaim, displayName)]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = _credentials,
        });
    }
}
