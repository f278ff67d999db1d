using System.Reflection;
using Cryb.Errors;
using Cryb.Gateway.Hosting;
using Cryb.Gateway.Limits;
using Cryb.Limits;
using Microsoft.AspNetCore.SignalR;

namespace Cryb.Gateway.Hubs;

/// <summary>
/// Spends one token of the user's cluster-wide rate limit before each hub call, from the tokens this
/// gateway leased from the user's <see cref="IRateLimitGrain"/> (<see cref="RateLimitLeases"/>).
/// Over the limit, the call is refused with <c>rate_limited</c> and <c>retryAfterMs=N</c> in the
/// reason, before anything is stored; a typing notification over its limit is dropped silently
/// instead, since clients send one per key press.
/// </summary>
/// <remarks>
/// A refusal is remembered for its <c>retryAfterMs</c>, and calls of that user and kind within it are
/// refused here without asking the grain, so a flood costs the cluster one grain call per lease, not
/// one per frame. The filter also tracks the user's connections here, so the tokens held for a user
/// go back to the grain when their last connection on this gateway leaves.
/// </remarks>
public sealed partial class RateLimitFilter(RateLimitLeases leases, GatewayMetrics metrics, ILogger<RateLimitFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var kind = context.HubMethod.GetCustomAttribute<RateLimitedAttribute>()?.Kind ?? RateLimitKind.Call;
        var userId = context.Context.UserIdentifier!;
        var decision = await leases.TakeAsync(userId, kind);
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
        throw Refusal($"{kind.ToString().ToLowerInvariant()} calls", decision);
    }

    /// <summary>The refusal of a call over its limit: clients read the retry time from <c>retryAfterMs=N</c>.</summary>
    public static ChatException Refusal(string what, RateLimitDecision decision) =>
        new(ErrorCodes.RateLimited, $"Too many {what}; retryAfterMs={decision.RetryAfterMs}");

    /// <summary>Counted once the hub accepted the connection: SignalR skips the disconnect of one it refused.</summary>
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        await next(context);
        leases.Connected(context.Context.UserIdentifier!);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        try
        {
            await next(context, exception);
        }
        finally
        {
            leases.Disconnected(context.Context.UserIdentifier!);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Typing notification of {UserId} dropped: over its rate limit")]
    private partial void LogTypingDropped(string userId);
}
