namespace Cryb;

/// <summary>Names of the stream provider and stream namespaces, shared by silos, gateways and tests.</summary>
public static class StreamNames
{
    /// <summary>The push stream provider (<see cref="Streaming.PushStreamProvider"/>) that fans events out to gateways.</summary>
    public const string Provider = "chat";

    /// <summary>One stream per channel, keyed by channel id, carrying <see cref="Channels.ChannelEvent"/>; owned by the channel grain.</summary>
    public const string Channel = "channel";

    /// <summary>One stream per server, keyed by server id, carrying <see cref="Guilds.GuildEvent"/>; owned by the server's grain.</summary>
    public const string Guild = "guild";

    /// <summary>One stream per user, keyed by user id, carrying <see cref="Users.UserEvent"/>; owned by the user grain.</summary>
    public const string User = "user";

    /// <summary>
    /// Presence changes in <see cref="PresenceShards"/> streams keyed "0", "1", ..., carrying
    /// <see cref="Presence.PresenceChanged"/>; each owned by a presence feed grain, and every gateway subscribes to all.
    /// </summary>
    public const string Presence = "presence";

    /// <summary>
    /// How many presence streams share the cluster's presence changes (a user's shard is a hash of
    /// the user id): enough to spread a reconnect storm's changes over the silos, few enough that
    /// each gateway's subscriptions to all of them cost nothing.
    /// </summary>
    public const int PresenceShards = 4;
}
