using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// Bearer tokens crafted in the test, good or bad in exactly one way, signed by default with the
/// key test gateways are configured with (<see cref="ProcessCluster.SigningKey"/>).
/// </summary>
public static class TestTokens
{
    public const string Issuer = "cryb";
    public const string Audience = "cryb";

    public static readonly SecurityKey ClusterKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(ProcessCluster.SigningKey));

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>
    /// A token for <paramref name="userId"/>, valid for an hour from a minute ago unless told
    /// otherwise; <paramref name="credentials"/> <see langword="null"/> signs with the cluster key.
    /// </summary>
    public static string Create(
        string userId,
        string issuer = Issuer,
        string audience = Audience,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? expires = null,
        SigningCredentials? credentials = null)
    {
        var now = DateTimeOffset.UtcNow;
        var from = notBefore ?? now.AddMinutes(-1);
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", userId), new Claim("name", userId)]),
            IssuedAt = from.UtcDateTime,
            NotBefore = from.UtcDateTime,
            Expires = (expires ?? now.AddHours(1)).UtcDateTime,
            SigningCredentials = credentials ?? new SigningCredentials(ClusterKey, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>An otherwise valid token with <c>alg: none</c> and no signature.</summary>
    public static string Unsigned(string userId)
    {
        var now = DateTimeOffset.UtcNow;
        var token = Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", userId)]),
            NotBefore = now.AddMinutes(-1).UtcDateTime,
            Expires = now.AddHours(1).UtcDateTime,
        });
        Assert.Contains("\"none\"", Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(token.Split('.')[0])));
        return token;
    }

    /// <summary>HMAC credentials with a key the gateway does not know.</summary>
    public static SigningCredentials ForeignHmac() =>
        new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes("another-signing-key-that-is-also-32-bytes-long")), SecurityAlgorithms.HmacSha256);

    /// <summary>The signature, the part that must never appear in a log even when the rest does.</summary>
    public static string SignatureOf(string token) => token[(token.LastIndexOf('.') + 1)..];
}
