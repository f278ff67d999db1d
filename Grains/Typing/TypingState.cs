namespace Cryb.Grains.Typing;

/// <summary>Who is typing until when; written at most once per flush interval, however busy the channel.</summary>
[GenerateSerializer, Alias("cryb.TypingState")]
public sealed class TypingState
{
    [Id(0)] public Dictionary<string, DateTimeOffset> ExpiresAt { get; set; } = [];
}
