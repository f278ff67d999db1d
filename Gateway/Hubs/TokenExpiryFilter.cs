using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Security.Claims;
using Cryb.Errors;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Cryb.Gateway.Hubs;

/// <summary>
/// Refuses a call with <c>token_expired</c> once the connection's token is past its <c>exp</c>, on
/// every hub method that requires an authenticated user (<c>[Authorize]</c> on the method or the
/// hub, no <c>[AllowAnonymous]</c>).
/// </summary>
/// <remarks>
/// The hub also closes such connections (<c>CloseOnAuthenticationExpiration</c>), but only on
/// SignalR's once-a-second scan; this filter closes the gap, so no call runs on an expired token.
/// Like the close, it uses <c>exp</c> itself: the clock skew only widens what is accepted at connect.
/// Registered after <see cref="ChatErrorFilter"/>, which logs and counts the refusal once.
/// </remarks>
public sealed class TokenExpiryFilter(TimeProvider time) : IHubFilter
{
    private readonly ConcurrentDictionary<MethodInfo, bool> _requiresUser = new();

    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (_requiresUser.GetOrAdd(context.HubMethod, RequiresUser) && !IsCurrent(context.Context.User))
        {
            throw new ChatException(ErrorCodes.TokenExpired, "The access token has expired; reconnect with a new one.");
        }

        return next(context);
    }

    /// <summary>
    /// A token without a readable <c>exp</c> is not current: the gateway refuses such tokens at
    /// connect, so one here means something is wrong, and failing closed is the safe way to be wrong.
    /// </summary>
    private bool IsCurrent(ClaimsPrincipal? user) =>
        long.TryParse(user?.FindFirst("exp")?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var exp)
        && time.GetUtcNow() < DateTimeOffset.FromUnixTimeSeconds(exp);

    private static bool RequiresUser(MethodInfo method) =>
        method.GetCustomAttributes<AllowAnonymousAttribute>(inherit: true).Any() is false
        && (method.GetCustomAttributes<AuthorizeAttribute>(inherit: true).Any()
            || method.DeclaringType?.GetCustomAttributes<AuthorizeAttribute>(inherit: true).Any() is true);
}
