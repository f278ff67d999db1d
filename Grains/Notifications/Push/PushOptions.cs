using System.ComponentModel.DataAnnotations;

namespace Cryb.Grains.Notifications.Push;

/// <summary>
/// Web Push from the silos (configuration section <c>Push</c>, environment variables <c>Push__*</c>):
/// the cluster's VAPID identity (RFC 8292) and how the outbox is worked. <see cref="Subject"/>,
/// <see cref="PublicKey"/> and <see cref="PrivateKey"/> all unset: push is off (no silo works the
/// outbox, whose rows wait until a silo with keys starts). Some set, or a key that is not a P-256
/// pair: the silo does not start, naming the setting.
/// </summary>
public sealed class PushOptions : IValidatableObject
{
    public const string Section = "Push";

    /// <summary>The operator's contact for push services: a <c>mailto:</c> or <c>https:</c> URL (the JWT's <c>sub</c>).</summary>
    public string? Subject { get; set; }

    /// <summary>The VAPID public key: an uncompressed P-256 point (65 bytes), base64url. Browsers get it as <c>applicationServerKey</c>.</summary>
    public string? PublicKey { get; set; }

    /// <summary>The VAPID private key: the P-256 scalar (32 bytes), base64url. Never logged.</summary>
    public string? PrivateKey { get; set; }

    /// <summary>A user with no open connection for this long gets pushes; one who left less long ago, when it is up.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan AwayAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a silo waits before looking at the outbox again after a batch that was not full.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Outbox rows one silo takes (and locks) per transaction. Its pushes go out concurrently, so a
    /// batch takes about one push service round trip, or <see cref="RequestTimeout"/> at worst.
    /// </summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>Pushes of one batch in flight at once.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 32;

    /// <summary>Attempts at one push (429, 5xx, timeouts) before it is given up.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>A push not delivered this long after its notification is given up: it would arrive stale.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The first retry's wait; each next one doubles it, with jitter, up to <see cref="RetryMax"/>. A longer <c>Retry-After</c> wins.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryBase { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan RetryMax { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a push service keeps a push for an offline device (the <c>TTL</c> header).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "28.00:00:00")]
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromHours(24);

    /// <summary>One push request's limit; past it the push is retried.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether push is configured at all (any of the three VAPID settings given).</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Subject) || !string.IsNullOrWhiteSpace(PublicKey) || !string.IsNullOrWhiteSpace(PrivateKey);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        if (!Uri.TryCreate(Subject, UriKind.Absolute, out var subject) || subject.Scheme is not ("mailto" or "https"))
        {
            yield return new ValidationResult(
                "must be the operator's mailto: or https: URL, which push services use to reach them (environment variable Push__Subject)", [nameof(Subject)]);
        }

        if (VapidKeys.Problem(PublicKey, PrivateKey) is { } problem)
        {
            yield return new ValidationResult($"{problem.Message} (environment variable Push__{problem.Setting})", [problem.Setting]);
        }

        if (RetryMax < RetryBase)
        {
            yield return new ValidationResult("must be at least Push:RetryBase (environment variable Push__RetryMax)", [nameof(RetryMax)]);
        }
    }
}
