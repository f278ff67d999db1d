namespace Cryb.Limits;

/// <summary>What a rate-limited call spends: each kind has a bucket of its own per user.</summary>
[GenerateSerializer, Alias("cryb.RateLimitKind")]
public enum RateLimitKind
{
    /// <summary>Any hub call without a more specific kind.</summary>
    Call = 0,

    /// <summary>Sending or editing a message.</summary>
    Message = 1,

    /// <summary>A typing notification; over the limit it is dropped silently, since clients send one per key press.</summary>
    Typing = 2,
}
