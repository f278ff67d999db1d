using System.Net;
using Cryb.Notifications;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Microsoft.Extensions.Options;
using WebPushSubscription = Lib.Net.Http.WebPush.PushSubscription;

namespace Cryb.Grains.Notifications.Push;

/// <summary>How one push went, and so what becomes of its outbox row.</summary>
public abstract record PushResult
{
    /// <summary>2xx: the push service took it. The row goes.</summary>
    public sealed record Delivered : PushResult;

    /// <summary>404 or 410: the subscription is gone. It and its rows go.</summary>
    public sealed record Gone(HttpStatusCode Status) : PushResult;

    /// <summary>429, 5xx, a timeout or no connection: try again, not before <paramref name="RetryAfter"/> if the service said.</summary>
    public sealed record Retry(string Reason, TimeSpan? RetryAfter) : PushResult;

    /// <summary>Another 4xx (a payload too large, a bad VAPID header): sending it again would fail again. The row goes.</summary>
    public sealed record Rejected(HttpStatusCode Status, string? Body) : PushResult;
}

/// <summary>
/// Sends one notification to one subscription through <c>Lib.Net.Http.WebPush</c>: the payload
/// encrypted for the subscription (RFC 8291, aes128gcm), VAPID-signed with the cluster's key
/// (RFC 8292, the <c>vapid</c> scheme), with <c>Urgency</c>, <c>Topic</c> and <c>TTL</c>. One
/// instance per silo: the client is thread-safe, and it pools connections to the push services.
/// </summary>
public sealed class PushSender : IDisposable
{
    private readonly PushServiceClient _client;
    private readonly HttpClient _http;
    private readonly VapidAuthentication? _vapid;
    private readonly int _timeToLiveSeconds;

    public PushSender(IOptions<PushOptions> options)
    {
        var settings = options.Value;
        _timeToLiveSeconds = (int)settings.TimeToLive.TotalSeconds;
        if (settings.Enabled)
        {
            _vapid = new VapidAuthentication(settings.PublicKey!.Trim(), settings.PrivateKey!.Trim()) { Subject = settings.Subject!.Trim() };
        }

        var connections = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        _http = new HttpClient(_vapid is null ? connections : new OriginAudienceHandler(_vapid) { InnerHandler = connections })
        {
            Timeout = settings.RequestTimeout,
        };

        // Retries are the outbox's: a 429 puts the row back with its Retry-After instead of holding
        // the batch's locks while the client sleeps.
        _client = new PushServiceClient(_http)
        {
            AutoRetryAfter = false,
            DefaultAuthentication = _vapid,
            DefaultAuthenticationScheme = VapidAuthenticationScheme.Vapid,
            DefaultTimeToLive = _timeToLiveSeconds,
        };
    }

    public async Task<PushResult> SendAsync(string endpoint, string p256dh, string auth, Notification notification, CancellationToken cancellationToken)
    {
        if (_vapid is null)
        {
            throw new InvalidOperationException("Push is off: no VAPID keys (Push:PublicKey, Push:PrivateKey).");
        }

        var subscription = new WebPushSubscription { Endpoint = endpoint };
        subscription.SetKey(PushEncryptionKeyName.P256DH, p256dh);
        subscription.SetKey(PushEncryptionKeyName.Auth, auth);
        var message = new PushMessage(PushPayload.Serialize(notification))
        {
            Topic = PushPayload.TopicOf(notification),
            Urgency = UrgencyOf(notification.Priority),
            TimeToLive = _timeToLiveSeconds,
        };
        try
        {
            await _client.RequestPushMessageDeliveryAsync(subscription, message, cancellationToken);
            return new PushResult.Delivered();
        }
        catch (PushServiceClientException refused)
        {
            return Classify(refused.StatusCode, refused.Headers?.RetryAfter, refused.Body);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new PushResult.Retry(PushMetrics.Reasons.Timeout, null);
        }
        catch (HttpRequestException)
        {
            return new PushResult.Retry(PushMetrics.Reasons.Network, null);
        }
        catch (Exception unusable) when (unusable is ArgumentException or FormatException or System.Security.Cryptography.CryptographicException)
        {
            // Keys that are not a P-256 point or a 16-byte secret: no retry would encrypt for them,
            // and a row that throws would fail its whole batch again and again.
            return new PushResult.Rejected(0, $"the subscription's keys are unusable: {unusable.Message}");
        }
    }

    /// <summary>What a push service's answer means for the row (RFC 8030 section 8, and what services do: 410 for an expired subscription).</summary>
    public static PushResult Classify(HttpStatusCode status, System.Net.Http.Headers.RetryConditionHeaderValue? retryAfter, string? body)
    {
        var code = (int)status;
        return code switch
        {
            >= 200 and < 300 => new PushResult.Delivered(),
            404 or 410 => new PushResult.Gone(status),
            429 => new PushResult.Retry(PushMetrics.Reasons.Throttled, RetryAfterOf(retryAfter)),
            >= 500 => new PushResult.Retry(PushMetrics.Reasons.ServerError, RetryAfterOf(retryAfter)),
            _ => new PushResult.Rejected(status, body),
        };
    }

    /// <summary>Urgency follows the notification's priority: a direct message or mention may wake a device; a reaction waits for it.</summary>
    public static PushMessageUrgency UrgencyOf(NotificationPriority priority) => priority switch
    {
        NotificationPriority.High => PushMessageUrgency.High,
        NotificationPriority.Low => PushMessageUrgency.Low,
        _ => PushMessageUrgency.Normal,
    };

    private static TimeSpan? RetryAfterOf(System.Net.Http.Headers.RetryConditionHeaderValue? retryAfter) => retryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => null,
    };

    /// <summary>
    /// RFC 8292 makes the JWT's <c>aud</c> the push resource's origin, port included; the library
    /// signs scheme and host only. The same for push services on the default port (all the public
    /// ones), it is refused by one on another port (a self-hosted service, the tests' receiver), so
    /// such a request is signed again for its full origin.
    /// </summary>
    private sealed class OriginAudienceHandler(VapidAuthentication vapid) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { IsDefaultPort: false } endpoint)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
                    "vapid", vapid.GetVapidSchemeAuthenticationHeaderValueParameter(endpoint.GetLeftPart(UriPartial.Authority)));
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    public void Dispose()
    {
        _vapid?.Dispose();
        _http.Dispose();
    }
}
