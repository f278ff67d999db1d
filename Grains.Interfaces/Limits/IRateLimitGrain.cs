using Cryb.Identity;
using Orleans.Concurrency;

namespace Cryb.Limits;

/// <summary>
/// A user's rate limits, one token bucket per <see cref="RateLimitKind"/>, keyed by the user id: a
/// single activation in the cluster, so the limit holds across all of the user's connections and
/// gateways. Held in memory only; a lost activation starts with full buckets.
/// </summary>
/// <remarks>
/// Gateways lease tokens in blocks (<see cref="Lease"/>) and spend them by themselves, so an allowed
/// call rarely asks this grain; <see cref="Take"/> spends one token per call, for callers that hold no
/// lease (and gateways older than leases).
/// </remarks>
[Alias("cryb.IRateLimitGrain")]
public interface IRateLimitGrain : IGrainWithStringKey
{
    /// <summary>Takes one token of <paramref name="kind"/> for the caller, who must be this user.</summary>
    [Alias("Take")]
    Task<RateLimitDecision> Take(Caller caller, RateLimitKind kind);

    /// <summary>
    /// Leases a block of tokens of <paramref name="kind"/> to the caller's gateway, never more than the
    /// bucket holds; none, with a retry time, when it is dry. <paramref name="returned"/> ends the
    /// gateway's previous lease of this kind, giving back what it did not spend.
    /// </summary>
    [Alias("Lease")]
    Task<RateLimitLease> Lease(Caller caller, RateLimitKind kind, ReturnedTokens? returned);

    /// <summary>Ends a lease early, giving back its unspent tokens (the user's last connection on the gateway left).</summary>
    [Alias("Return"), OneWay]
    Task Return(Caller caller, RateLimitKind kind, ReturnedTokens returned);
}
