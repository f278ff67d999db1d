using Cryb.Identity;

namespace Cryb.Limits;

/// <summary>
/// A user's rate limits, one token bucket per <see cref="RateLimitKind"/>, keyed by the user id: a
/// single activation in the cluster, so the limit holds across all of the user's connections and
/// gateways. Held in memory only; a lost activation starts with full buckets.
/// </summary>
[Alias("cryb.IRateLimitGrain")]
public interface IRateLimitGrain : IGrainWithStringKey
{
    /// <summary>Takes one token of <paramref name="kind"/> for the caller, who must be this user.</summary>
    [Alias("Take")]
    Task<RateLimitDecision> Take(Caller caller, RateLimitKind kind);
}
