using Cryb.Limits;

namespace Cryb.Gateway.Limits;

/// <summary>
/// One user's tokens of one kind on this gateway: a lease from the user's rate-limit grain, spent
/// here call by call; a refusal from it, answered here until its retry time; or the one request for
/// the next lease, which every call that finds nothing to spend waits for.
/// </summary>
/// <remarks>
/// A lease is spent until <see cref="RateLimitLease.LifetimeMs"/> after the request left this
/// gateway, which is before the grant, so the gateway stops spending before the grain counts the
/// lease as spent. The next request ends the lease it replaces, giving back what is left of it.
/// </remarks>
public sealed class LeasedTokens
{
    private readonly Func<ReturnedTokens?, Task<RateLimitLease>> _lease;
    private readonly Action<ReturnedTokens> _giveBack;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();

    /// <summary>The lease being spent; 0 before the first one.</summary>
    private long _leaseId;
    private int _unspent;
    private long _expiresAt;
    private long _refusedUntil;
    private Task? _request;
    private bool _released;

    /// <param name="lease">Asks the grain for a lease, ending the given one.</param>
    /// <param name="giveBack">Returns a lease's unspent tokens without waiting (a one-way call).</param>
    public LeasedTokens(Func<ReturnedTokens?, Task<RateLimitLease>> lease, Action<ReturnedTokens> giveBack, TimeProvider time)
    {
        _lease = lease;
        _giveBack = giveBack;
        _time = time;
    }

    /// <summary>
    /// Spends a token: at once from the lease, or refused at once while a refusal holds; otherwise
    /// after the next lease arrives.
    /// </summary>
    public async ValueTask<RateLimitDecision> TakeAsync()
    {
        while (true)
        {
            TaskCompletionSource? mine = null;
            ReturnedTokens? ending = null;
            Task pending;
            long sentAt;
            lock (_lock)
            {
                sentAt = _time.GetTimestamp();
                if (_unspent > 0 && sentAt < _expiresAt)
                {
                    _unspent--;
                    return RateLimitDecision.Allow;
                }

                if (sentAt < _refusedUntil)
                {
                    return new RateLimitDecision(false, (int)Math.Ceiling(_time.GetElapsedTime(sentAt, _refusedUntil).TotalMilliseconds));
                }

                if (_request is null)
                {
                    mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _request = mine.Task;
                    ending = EndLeaseLocked();
                }

                pending = _request;
            }

            if (mine is null)
            {
                await pending;
                continue;
            }

            try
            {
                // The call that asked spends the first token of what it got, so it never loses it to waiters.
                return Apply(await _lease(ending), sentAt);
            }
            finally
            {
                lock (_lock)
                {
                    _request = null;
                }

                // Waiters look again; if the request failed they try their own, and this call reports the failure.
                mine.SetResult();
            }
        }
    }

    /// <summary>
    /// The user's last connection here left: give back what is left of the lease now, and any lease
    /// still on its way when it arrives.
    /// </summary>
    public void Release()
    {
        ReturnedTokens? ending;
        lock (_lock)
        {
            _released = true;
            // Even a spent lease: ending it lets the bucket refill to the whole burst for the user's
            // other gateways at once. An expired one the grain has ended by itself.
            ending = _leaseId != 0 && _time.GetTimestamp() < _expiresAt ? EndLeaseLocked() : null;
        }

        if (ending is not null)
        {
            _giveBack(ending);
        }
    }

    /// <summary>Takes the lease (spending its first token) or the refusal the grain answered.</summary>
    private RateLimitDecision Apply(RateLimitLease lease, long sentAt)
    {
        ReturnedTokens? unwanted = null;
        RateLimitDecision decision;
        lock (_lock)
        {
            // With tokens, a retry time means they emptied the bucket: once they are spent, refuse here until then.
            _refusedUntil = _time.GetTimestamp() + Ticks(lease.RetryAfterMs);
            if (lease.Tokens > 0)
            {
                // A lease of one token is spent by this call: the grain holds nothing of it to end.
                _leaseId = lease.Tokens > 1 ? lease.Id : 0;
                _unspent = lease.Tokens - 1;
                _expiresAt = sentAt + Ticks(lease.LifetimeMs);
                if (_released)
                {
                    unwanted = EndLeaseLocked();
                }

                decision = RateLimitDecision.Allow;
            }
            else
            {
                decision = new RateLimitDecision(false, lease.RetryAfterMs);
            }
        }

        if (unwanted is not null)
        {
            _giveBack(unwanted);
        }

        return decision;
    }

    /// <summary>Ends the current lease here; what the grain should be told about it, if anything.</summary>
    private ReturnedTokens? EndLeaseLocked()
    {
        var ending = _leaseId == 0 ? null : new ReturnedTokens(_leaseId, _unspent);
        _leaseId = 0;
        _unspent = 0;
        return ending;
    }

    private long Ticks(int milliseconds) => milliseconds * _time.TimestampFrequency / 1000;
}
