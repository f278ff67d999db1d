using System.ComponentModel.DataAnnotations;
using Cryb.Limits;

namespace Cryb.Grains.Limits;

/// <summary>Per-user rate limits (configuration section <c>RateLimits</c> on the silos).</summary>
public sealed class RateLimitOptions : IValidatableObject
{
    public const string Section = "RateLimits";

    /// <summary>Sends and edits: 5 a second with bursts of 10, enough for a fast typist, not for a flood.</summary>
    public RateLimit Messages { get; set; } = new() { PerSecond = 5, Burst = 10 };

    /// <summary>Typing notifications: one every 2 seconds; clients send one per key press and the rest are dropped.</summary>
    public RateLimit Typing { get; set; } = new() { PerSecond = 0.5, Burst = 1 };

    /// <summary>Every other hub call: 20 a second.</summary>
    public RateLimit Calls { get; set; } = new() { PerSecond = 20, Burst = 20 };

    public RateLimit For(RateLimitKind kind) => kind switch
    {
        RateLimitKind.Message => Messages,
        RateLimitKind.Typing => Typing,
        _ => Calls,
    };

    // Data annotations do not descend into nested objects by themselves.
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        new[] { (nameof(Messages), Messages), (nameof(Typing), Typing), (nameof(Calls), Calls) }
            .SelectMany(limit =>
            {
                var results = new List<ValidationResult>();
                Validator.TryValidateObject(limit.Item2, new ValidationContext(limit.Item2), results, validateAllProperties: true);
                return results.Select(result => new ValidationResult(
                    $"RateLimits:{limit.Item1}: {result.ErrorMessage}", result.MemberNames.Select(member => $"{limit.Item1}.{member}")));
            });
}

/// <summary>A token bucket's refill rate and size.</summary>
public sealed class RateLimit
{
    [Range(0.01, 100_000)]
    public double PerSecond { get; set; }

    [Range(1, 100_000)]
    public int Burst { get; set; }

    /// <summary>
    /// Tokens a gateway leases at a time: half the burst, and at most one second of refill. Half the
    /// burst leaves the other half in the bucket for the user's other gateways. One second of refill
    /// bounds the wait of a dry bucket, which answers "come back when a whole lease is there"
    /// (under 1 s), and so a flood costs one grain call per lease instead of one per refill. Shipped
    /// limits: 5 messages, 10 calls, 1 typing notification (its burst is 1); the bench's 100,000/s:
    /// 50,000.
    /// </summary>
    public int LeaseSize => (int)Math.Max(1, Math.Min(Burst / 2, Math.Floor(PerSecond)));
}
