namespace Cryb.Grains.Limits;

/// <summary>
/// A token bucket: holds up to <c>burst</c> tokens, refilled at <c>perSecond</c>; a call takes one.
/// Refilled lazily from the time elapsed, so an idle bucket costs nothing.
/// </summary>
public sealed class TokenBucket(double perSecond, int burst, DateTimeOffset now)
{
    private double _tokens = burst;
    private DateTimeOffset _refilledAt = now;

    /// <summary>Takes a token if one is there; otherwise returns how long until one will be.</summary>
    public bool TryTake(DateTimeOffset now, out TimeSpan retryAfter)
    {
        _tokens = Math.Min(burst, _tokens + (now - _refilledAt).TotalSeconds * perSecond);
        _refilledAt = now;
        if (_tokens >= 1)
        {
            _tokens -= 1;
            retryAfter = TimeSpan.Zero;
            return true;
        }

        retryAfter = TimeSpan.FromSeconds((1 - _tokens) / perSecond);
        return false;
    }
}
