using Cryb.Errors;
using Cryb.Grains.Telemetry;
using Cryb.Identity;
using Cryb.Limits;
using Microsoft.Extensions.Options;

namespace Cryb.Grains.Limits;

/// <summary>
/// A user's token buckets (<see cref="UserRateLimits"/>), for that user alone. Not persisted: limits
/// protect the cluster from floods, and a bucket that starts full after a silo loss lets through at
/// most one extra burst (plus the leases still out).
/// </summary>
public sealed class RateLimitGrain(IOptions<RateLimitOptions> options, TimeProvider time, SiloMetrics metrics) : Grain, IRateLimitGrain
{
    private readonly UserRateLimits _limits = new(options.Value, time);

    public Task<RateLimitDecision> Take(Caller caller, RateLimitKind kind)
    {
        Authorize(caller, "take");
        return Task.FromResult(_limits.Take(kind));
    }

    public Task<RateLimitLease> Lease(Caller caller, RateLimitKind kind, ReturnedTokens? returned)
    {
        Authorize(caller, "lease");
        return Task.FromResult(_limits.Lease(kind, returned));
    }

    public Task Return(Caller caller, RateLimitKind kind, ReturnedTokens returned)
    {
        Authorize(caller, "return");
        _limits.Return(kind, returned);
        return Task.CompletedTask;
    }

    private void Authorize(Caller caller, string method)
    {
        metrics.RateLimitCall(method);
        if (caller.MemberId != this.GetPrimaryKeyString())
        {
            throw new ChatException(ErrorCodes.Forbidden, "A user spends only their own rate limit.");
        }
    }
}
