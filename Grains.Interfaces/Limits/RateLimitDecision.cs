namespace Cryb.Limits;

/// <summary>Whether a call may go ahead, and if not, how long until it could.</summary>
[GenerateSerializer, Immutable, Alias("cryb.RateLimitDecision")]
public sealed record RateLimitDecision(
    [property: Id(0)] bool Allowed,
    [property: Id(1)] int RetryAfterMs)
{
    public static readonly RateLimitDecision Allow = new(true, 0);
}
