using Cryb.Limits;

namespace Cryb.Gateway.Hubs;

/// <summary>
/// Which of the user's rate limits a hub method spends; methods without it spend
/// <see cref="RateLimitKind.Call"/>. Read by <see cref="RateLimitFilter"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RateLimitedAttribute(RateLimitKind kind) : Attribute
{
    public RateLimitKind Kind { get; } = kind;
}
