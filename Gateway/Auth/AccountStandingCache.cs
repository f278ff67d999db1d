using Cryb.Gateway.Hosting;

namespace Cryb.Gateway.Auth;

/// <summary>
/// Accounts this gateway found in good standing within the last <see cref="Lifetime"/>, so the
/// requests of one connect (negotiate, then the WebSocket) and a quick reconnect ask the user grain
/// once instead of each time.
/// </summary>
/// <remarks>
/// Only <c>Active</c> is remembered, never a refusal. Trusting it a few seconds longer weakens
/// nothing: the user grain itself refuses a banned or deleted account when the hub connects
/// (<c>account_disabled</c>), so the cache can only change the form of a refusal (a close right
/// after the handshake instead of a 401), never let a banned user in. And the common case does not
/// wait for the lifetime: <c>AccountClosed</c> on the user's stream, which every gateway with one
/// of the user's connections receives, forgets the entry before the client is told.
/// </remarks>
public sealed class AccountStandingCache(TimeProvider time)
{
    /// <summary>Long enough to cover a negotiate and its WebSocket request, short enough to bound a stale entry.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    private readonly ExpiringKeys<string> _active = new(time);

    public bool IsKnownActive(string userId) => _active.Contains(userId);

    public void RememberActive(string userId) => _active.Add(userId, Lifetime);

    /// <summary>The account was closed (banned or deleted): ask the grain next time.</summary>
    public void Forget(string userId) => _active.Remove(userId);
}
