namespace Cryb;

/// <summary>Names of the stream provider and stream namespaces, shared by silos, gateways and tests.</summary>
public static class StreamNames
{
    /// <summary>The memory stream provider that fans channel and user events out to gateways.</summary>
    public const string Provider = "chat";

    /// <summary>One stream per channel, keyed by channel id, carrying <see cref="Channels.ChannelEvent"/>.</summary>
    public const string Channel = "channel";

    /// <summary>One stream per user, keyed by user id, carrying <see cref="Users.UserEvent"/>.</summary>
    public const string User = "user";
}
