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
public sealed partial class RateLimitFilter(
    IClusterClient cluster,
    ServiceCredential account,
    GatewayMetrics metrics,
    ILogger<RateLimitFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var kind = context.HubMethod.GetCustomAttribute<RateLimitedAttribute>()?.Kind ?? RateLimitKind.Call;
        var userId = context.Context.UserIdentifier!;
        var decision = await cluster.GetGrain<IRateLimitGrain>(userId).Take(Caller.User(userId, account), kind);
        if (decision.Allowed)
        {
            return await next(context);
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
