namespace Cryb.Limits;

/// <summary>
/// Tokens of one of a user's buckets, handed to a gateway: the first for the call that asked, the
/// rest to spend by itself for <see cref="LifetimeMs"/> from when it asked; after that they count as
/// spent. None when the bucket is dry. <see cref="RetryAfterMs"/> is set when the bucket is dry now (with or without this lease):
/// how long until asking again is worth it, so a gateway that spent the lease refuses by itself until then.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.RateLimitLease")]
public sealed record RateLimitLease(
    [property: Id(0)] long Id,
    [property: Id(1)] int Tokens,
    [property: Id(2)] int LifetimeMs,
    [property: Id(3)] int RetryAfterMs);
