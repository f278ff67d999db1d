using Cryb.Errors;
using Cryb.Gateway.Hubs;

namespace Cryb.Gateway.Hosting;

/// <summary>
/// Sets up at most <see cref="ChatHubOptions.MaxConnectsInFlight"/> hub connections at once and
/// refuses the rest with 503 <c>try_again</c> and a retry time, before the WebSocket is accepted
/// or the token checked. When a gateway dies its clients all come back at once to the others;
/// unrefused, every connect waits behind all the others in the silos' queues, and those that time
/// out retry and queue again. A connection counts from its WebSocket (or server-sent events)
/// request until its <c>Ready</c> went out (<see cref="ConnectAdmissionFilter"/>) or the request ended.
/// </summary>
/// <remarks>
/// Only a connect without a negotiate (<c>skipNegotiation</c>, as lean clients do) is refused on
/// its transport request: after a negotiate the official clients fall back to the next transport
/// when one is refused. Their negotiate is refused instead while the limit is reached, and the
/// transport request that follows an admitted negotiate is counted without a refusal. Long polling's
/// requests are not counted: each is a poll, not a connect.
/// </remarks>
public sealed class ConnectAdmission(ChatHubOptions options, TimeProvider time)
{
    /// <summary>The shortest retry time, and the longest: past it a client's own backoff is as good.</summary>
    private const int MinRetryAfterMs = 500, MaxRetryAfterMs = 30_000;

    private readonly TimeProvider _time = time;
    private readonly Lock _lock = new();
    private int _inFlight;
    private long _second;
    private int _refusedThisSecond, _refusedLastSecond, _readyThisSecond, _readyLastSecond;

    /// <summary>
    /// The longest a connection counts as being set up: one that has not had its <c>Ready</c> by
    /// then (stalled before SignalR's handshake, or set up very slowly) no longer holds a place, and
    /// a stalled or hostile client cannot hold one for the handshake's whole 15 s.
    /// </summary>
    public static readonly TimeSpan LongestSetup = TimeSpan.FromSeconds(10);

    /// <summary>Connections being set up now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public int Limit => options.MaxConnectsInFlight;

    /// <summary>Counts a connection being set up, unless <paramref name="refusable"/> and the limit is reached; null when refused.</summary>
    public Lease? TryEnter(bool refusable)
    {
        if (Interlocked.Increment(ref _inFlight) > options.MaxConnectsInFlight && refusable)
        {
            Interlocked.Decrement(ref _inFlight);
            return null;
        }

        return new Lease(this);
    }

    /// <summary>A connection got its <c>Ready</c>: the rate at which this gateway sets them up.</summary>
    public void Ready()
    {
        lock (_lock)
        {
            Roll();
            _readyThisSecond++;
        }
    }

    /// <summary>
    /// How long a refused client should wait: spread at random from 0.5 s to the time this gateway
    /// needs to set up as many connections as it refused in the last second, at the rate it set
    /// them up in the last second. A herd of 18,000 told to come back within 2 s came back, and was
    /// refused, six times over; spread over the time it takes, most come back once.
    /// </summary>
    public int NextRetryAfterMs()
    {
        double backlogMs;
        lock (_lock)
        {
            Roll();
            _refusedThisSecond++;
            var refused = Math.Max(_refusedThisSecond, _refusedLastSecond);
            var rate = Math.Max(Math.Max(_readyThisSecond, _readyLastSecond), 50);
            backlogMs = 1000.0 * refused / rate;
        }

        var spread = Math.Clamp(backlogMs, 1500, MaxRetryAfterMs);
        return MinRetryAfterMs + (int)(Random.Shared.NextDouble() * (spread - MinRetryAfterMs));
    }

    /// <summary>Starts a new one-second window when the clock has moved on; the window before it is kept.</summary>
    private void Roll()
    {
        var second = _time.GetTimestamp() / _time.TimestampFrequency;
        if (second == _second)
        {
            return;
        }

        (_refusedLastSecond, _readyLastSecond) = second == _second + 1 ? (_refusedThisSecond, _readyThisSecond) : (0, 0);
        (_refusedThisSecond, _readyThisSecond, _second) = (0, 0, second);
    }

    /// <summary>
    /// The refusal: 503 with <c>Retry-After</c> in whole seconds, and a problem whose title is the
    /// code and whose <c>retryAfterMs</c> is <see cref="NextRetryAfterMs"/>.
    /// </summary>
    public async Task RefuseAsync(HttpContext context)
    {
        var retryAfterMs = NextRetryAfterMs();
        context.Response.Headers.RetryAfter = ((retryAfterMs + 999) / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await TypedResults.Problem(
                title: ErrorCodes.TryAgain,
                detail: $"The gateway is setting up as many connections as it can; retryAfterMs={retryAfterMs}",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                extensions: new Dictionary<string, object?> { ["retryAfterMs"] = retryAfterMs })
            .ExecuteAsync(context);
    }

    /// <summary>
    /// One connection being set up; released once: at its <c>Ready</c>, when its request ends, or
    /// after <see cref="LongestSetup"/> on the admission's clock, whichever comes first.
    /// </summary>
    public sealed class Lease : IDisposable
    {
        private readonly ConnectAdmission _admission;

        /// <summary>
        /// Dropped once released: the lease stays in its request's features for the connection's
        /// life, and a disposed timer kept there would still hold its 120 bytes per connection.
        /// </summary>
        private ITimer? _expiry;

        private int _released;

        internal Lease(ConnectAdmission admission)
        {
            _admission = admission;
            _expiry = admission._time.CreateTimer(lease => ((Lease)lease!).Dispose(), this, LongestSetup, Timeout.InfiniteTimeSpan);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Interlocked.Exchange(ref _expiry, null)?.Dispose();
                Interlocked.Decrement(ref _admission._inFlight);
            }
        }
    }
}

/// <summary>The middleware that applies <see cref="ConnectAdmission"/> to the hub's requests.</summary>
public static class ConnectAdmissionExtensions
{
    private const string NegotiatePath = ChatHub.Path + "/negotiate";

    public static void UseConnectAdmission(this WebApplication app)
    {
        var admission = app.Services.GetRequiredService<ConnectAdmission>();
        var metrics = app.Services.GetRequiredService<GatewayMetrics>();
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (request.Path.Equals(NegotiatePath, StringComparison.OrdinalIgnoreCase))
            {
                if (admission.InFlight >= admission.Limit)
                {
                    await RefuseAsync(context);
                    return;
                }
            }
            else if (request.Path.Equals(ChatHub.Path, StringComparison.OrdinalIgnoreCase) && IsTransportStart(context))
            {
                using var lease = admission.TryEnter(refusable: !request.Query.ContainsKey("id"));
                if (lease is null)
                {
                    await RefuseAsync(context);
                    return;
                }

                context.Features.Set(lease);
                await next(context);
                return;
            }

            await next(context);
        });

        // Counted with the hub's refusals, so an operator sees a storm being shed (and how hard)
        // where the other refusals are: cryb_refusals_total{code="try_again"}.
        Task RefuseAsync(HttpContext context)
        {
            metrics.Refused(ErrorCodes.TryAgain);
            return admission.RefuseAsync(context);
        }
    }

    /// <summary>
    /// A WebSocket or server-sent events request: the start of a connection's transport. Read from
    /// the headers: <c>HttpContext.WebSockets</c> knows only after the WebSocket middleware, which
    /// SignalR runs inside the hub's endpoint, after this.
    /// </summary>
    private static bool IsTransportStart(HttpContext context) =>
        context.Request.Headers.Upgrade.Any(upgrade => upgrade?.Contains("websocket", StringComparison.OrdinalIgnoreCase) == true)
        || context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpExtendedConnectFeature>()?.IsExtendedConnect == true
        || context.Request.Headers.Accept.Any(accept => accept?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);
}
