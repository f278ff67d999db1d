using Cryb.Errors;
using Cryb.Guilds;

namespace Cryb.Grains.Guilds;

/// <summary>
/// The full member listings of one server in progress, per user: one may start per
/// <see cref="GuildLimits.FullListInterval"/>, and its later pages are served within that interval
/// of its start. In the activation's memory: a silo restart forgets them, which at worst lets a user
/// list once more early.
/// </summary>
internal sealed class MemberListings(TimeProvider time)
{
    private readonly Dictionary<string, DateTimeOffset> _started = [];

    /// <summary>Starts a listing for <paramref name="memberId"/>, or refuses with <c>rate_limited</c> and the wait.</summary>
    public void Start(string memberId)
    {
        var now = time.GetUtcNow();
        Forget(now);
        if (_started.TryGetValue(memberId, out var started))
        {
            var retryAfterMs = (int)Math.Ceiling((started + GuildLimits.FullListInterval - now).TotalMilliseconds);
            throw new ChatException(ErrorCodes.RateLimited,
                $"A server's full member list may be requested once per {GuildLimits.FullListInterval.TotalSeconds:0} s; retryAfterMs={retryAfterMs}");
        }

        _started[memberId] = now;
    }

    /// <summary>A later page belongs to a listing started within the interval.</summary>
    public void RequireStarted(string memberId)
    {
        Forget(time.GetUtcNow());
        if (!_started.ContainsKey(memberId))
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "No member listing in progress: request the first page (afterUserId null) again.");
        }
    }

    private void Forget(DateTimeOffset now)
    {
        foreach (var (memberId, started) in _started)
        {
            if (now - started >= GuildLimits.FullListInterval)
            {
                _started.Remove(memberId);
            }
        }
    }
}
