namespace Cryb.Messages;

/// <summary>Protocol limits on messages.</summary>
public static class MessageLimits
{
    /// <summary>Characters of content after trimming.</summary>
    public const int MaxContentLength = 4000;

    /// <summary>Characters of a client nonce; enough for a UUID or a ULID with a prefix.</summary>
    public const int MaxNonceLength = 64;
}
