using Microsoft.IdentityModel.Tokens;

namespace Cryb.Gateway.Auth;

/// <summary>
/// The reason categories of refused requests, as logged and as the <c>reason</c> tag of
/// <c>cryb.gateway.auth.failures</c>. A small fixed set, so the metric's cardinality stays bounded
/// and an alert can select on it; the token itself is never part of it.
/// </summary>
public static class AuthFailureReasons
{
    public const string Missing = "missing";
    public const string Expired = "expired";
    public const string NotYetValid = "not_yet_valid";
    public const string InvalidSignature = "invalid_signature";
    public const string InvalidAlgorithm = "invalid_algorithm";
    public const string InvalidIssuer = "invalid_issuer";
    public const string InvalidAudience = "invalid_audience";
    public const string NoExpiration = "no_expiration";
    public const string Malformed = "malformed";
    public const string Invalid = "invalid";
    public const string OriginNotAllowed = "origin_not_allowed";

    /// <summary>A valid token for an account that was banned or deleted.</summary>
    public const string AccountDisabled = "account_disabled";

    /// <summary>
    /// An error while checking (the authority's keys could not be fetched, for example) rather than a
    /// bad token: worth an operator's look when it rises.
    /// </summary>
    public const string Error = "error";

    /// <summary>
    /// The category of JwtBearer's authentication failure; <see langword="null"/> means no token came.
    /// Subclasses are matched before their base classes (a key not found is a bad signature).
    /// </summary>
    public static string Of(Exception? failure) => failure switch
    {
        null => Missing,
        AccountNotActiveException => AccountDisabled,
        SecurityTokenExpiredException => Expired,
        SecurityTokenNotYetValidException => NotYetValid,
        SecurityTokenInvalidSignatureException => InvalidSignature,
        SecurityTokenInvalidAlgorithmException => InvalidAlgorithm,
        SecurityTokenInvalidIssuerException => InvalidIssuer,
        SecurityTokenInvalidAudienceException => InvalidAudience,
        SecurityTokenNoExpirationException => NoExpiration,
        SecurityTokenMalformedException or ArgumentException => Malformed,
        SecurityTokenException => Invalid,
        _ => Error,
    };
}
