using System.Reflection;
using Cryb.Errors;
using Cryb.Gateway.Hosting;
using Cryb.Identity;
using Cryb.Limits;
using Microsoft.AspNetCore.SignalR;

namespace Cryb.Gateway.Hubs;

/// <summary>
/// Spends one token of the user's cluster-wide rate limit (the user's <see cref="IRateLimitGrain"/>)
/// before each hub call. Over the limit, the call is refused with <c>rate_limited</c> and
/// <c>retryAfterMs=N</c> in the reason, before anything is stored; a typing notification over its
/// limit is dropped silently instead, since clients send one per key press.
/// </summary>
/// <remarks>
/// A refusal is remembered for its <c>retryAfterMs</c>, and calls of that user and kind within it are
/// refused here without asking the grain: until then the grain's bucket cannot hold a token, since
/// gateways only ever take tokens from it. So a flood costs the cluster one grain call per refill,
/// not one per frame, and the limit stays exactly the grain's across every gateway. (A bucket that
/// starts full again after its silo was lost is then seen at most one <c>retryAfterMs</c> later.)
/// Allowed calls still ask the grain each time. Tokens leased ahead from the grain would keep the
/// limit too, but each gateway the user is on would hold back a lease, refusing calls the user's
/// limit allows.
/// </remarks>
public sealed partial class RateLimitFilter(
    IClusterClient cluster,
    ServiceCredential account,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<RateLimitFilter> logger) : IHubFilter
{
    private readonly ExpiringKeys<(string UserId, RateLimitKind Kind)> _refusedUntil = new(time);

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var kind = context.HubMethod.GetCustomAttribute<RateLimitedAttribute>()?.Kind ?? RateLimitKind.Call;
        var userId = context.Context.UserIdentifier!;
        RateLimitDecision decision;
        if (_refusedUntil.Contains((userId, kind), out var wait))
        {
            decision = new RateLimitDecision(false, (int)Math.Ceiling(wait.TotalMilliseconds));
        }
        else
        {
            decision = await cluster.GetGrain<IRateLimitGrain>(userId).Take(Caller.User(userId, account), kind);
            if (decision.Allowed)
            {
                return await next(context);
            }

            _refusedUntil.Add((userId, kind), TimeSpan.FromMilliseconds(decision.RetryAfterMs));
        }

        metrics.RateLimited(kind);
        if (kind == RateLimitKind.Typing)
        {
            LogTypingDropped(userId);
            return null;
        }

        // Logged once, with the code, by ChatErrorFilter around this one.
        throw new ChatException(ErrorCodes.RateLimited,
            $"Too many {kind.ToString().ToLowerInvariant()} calls; retryAfterMs={decision.RetryAfterMs}");
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Typing notification of {UserId} dropped: over its rate limit")]
    private partial void LogTypingDropped(string userId);
}
