namespace Cryb.Messages;

/// <summary>Protocol limits on messages.</summary>
public static class MessageLimits
{
    /// <summary>Characters of content after trimming.</summary>
    public const int MaxContentLength = 4000;

    /// <summary>Characters of a client nonce; enough for a UUID or a ULID with a prefix.</summary>
    public const int MaxNonceLength = 64;

    /// <summary>Characters of the original a reply quotes.</summary>
    public const int ReplyExcerptLength = 100;

    /// <summary>UTF-16 code units of one emoji: room for ZWJ sequences and short custom names.</summary>
    public const int MaxEmojiLength = 32;

    /// <summary>Distinct emoji on one message.</summary>
    public const int MaxReactionsPerMessage = 20;
}
