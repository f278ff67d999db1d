namespace Cryb.Grains.Limits;

/// <summary>
/// A token bucket: holds up to <c>burst</c> tokens, refilled at <c>perSecond</c>; a call takes one,
/// or a gateway leases several to spend by itself. Refilled lazily from the time elapsed, so an idle
/// bucket costs nothing.
/// </summary>
/// <remarks>
/// Tokens out on lease count against the burst until their lease ends: the bucket refills only up to
/// <c>burst</c> minus what is leased (the first token of a lease is spent when it is granted, so a
/// lease of one holds nothing back). Without that, a gateway could hold a lease while the bucket
/// refilled to full, and the user would get the burst plus the lease in one instant. A lease ends when
/// its gateway returns it (what it did not spend goes back into the bucket) or when it expires (what
/// it did not return counts as spent).
/// </remarks>
public sealed class TokenBucket(double perSecond, int burst, DateTimeOffset now)
{
    /// <summary>Leases not yet returned or expired, in the order they expire.</summary>
    private readonly List<OpenLease> _leases = [];
    private double _tokens = burst;
    private int _leased;
    private DateTimeOffset _refilledAt = now;

    /// <summary>Tokens in the bucket now (not counting leased ones).</summary>
    public double Available(DateTimeOffset now)
    {
        Advance(now);
        return _tokens;
    }

    /// <summary>Tokens out on leases that have not ended.</summary>
    public int Leased(DateTimeOffset now)
    {
        Advance(now);
        return _leased;
    }

    /// <summary>Takes a token if one is there; otherwise returns how long until one will be.</summary>
    public bool TryTake(DateTimeOffset now, out TimeSpan retryAfter)
    {
        Advance(now);
        if (_tokens >= 1)
        {
            _tokens -= 1;
            retryAfter = TimeSpan.Zero;
            return true;
        }

        retryAfter = TimeUntil(1);
        return false;
    }

    /// <summary>
    /// Takes up to <paramref name="size"/> whole tokens, as many as the bucket holds: the first for the
    /// call that asked, which the gateway spends at once, and the rest on lease until
    /// <paramref name="lifetime"/> from now. When that leaves less than one token (or there was none),
    /// also returns how long until the bucket holds <paramref name="size"/> again: a gateway that came
    /// back sooner would get a token or two per call, one grain call per send in a flood.
    /// </summary>
    public int Lease(long id, int size, TimeSpan lifetime, DateTimeOffset now, out TimeSpan retryAfter)
    {
        Advance(now);
        var granted = (int)Math.Min(size, Math.Floor(_tokens));
        if (granted > 1)
        {
            var lease = new OpenLease(id, granted - 1, now + lifetime);
            _leases.Insert(_leases.FindLastIndex(other => other.ExpiresAt <= lease.ExpiresAt) + 1, lease);
            _leased += lease.Tokens;
        }

        _tokens -= granted;
        retryAfter = _tokens < 1 ? TimeUntil(size) : TimeSpan.Zero;
        return granted;
    }

    /// <summary>
    /// Ends lease <paramref name="id"/>, putting <paramref name="unspent"/> of its tokens back. A lease
    /// that already expired (or that another activation granted) is not here: its tokens stay spent.
    /// </summary>
    public void Return(long id, int unspent, DateTimeOffset now)
    {
        Advance(now);
        var at = _leases.FindIndex(lease => lease.Id == id);
        if (at < 0)
        {
            return;
        }

        var lease = _leases[at];
        _leases.RemoveAt(at);
        _leased -= lease.Tokens;
        _tokens += Math.Clamp(unspent, 0, lease.Tokens);
    }

    /// <summary>Ends the leases that expired by <paramref name="now"/>, refilling under each one's cap in turn.</summary>
    private void Advance(DateTimeOffset now)
    {
        while (_leases.Count > 0 && _leases[0].ExpiresAt <= now)
        {
            RefillUntil(_leases[0].ExpiresAt);
            _leased -= _leases[0].Tokens;
            _leases.RemoveAt(0);
        }

        RefillUntil(now);
    }

    private void RefillUntil(DateTimeOffset at)
    {
        if (at <= _refilledAt)
        {
            return;
        }

        _tokens = Math.Min(burst - _leased, _tokens + (at - _refilledAt).TotalSeconds * perSecond);
        _refilledAt = at;
    }

    /// <summary>
    /// How long until the bucket holds <paramref name="wanted"/> tokens, or as many as the leases out
    /// let it. When leases hold the whole burst, how long until it holds one token, as if they came
    /// back: a gateway usually ends its spent lease with its next request, well before it expires.
    /// </summary>
    private TimeSpan TimeUntil(int wanted)
    {
        var goal = Math.Clamp(burst - _leased, 1, wanted);
        return TimeSpan.FromSeconds(Math.Max(0, goal - _tokens) / perSecond);
    }

    private readonly record struct OpenLease(long Id, int Tokens, DateTimeOffset ExpiresAt);
}
