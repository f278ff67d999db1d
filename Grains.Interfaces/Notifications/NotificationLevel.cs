namespace Cryb.Notifications;

/// <summary>Which messages of a server or channel notify the user. The numbers are stored.</summary>
[GenerateSerializer, Alias("cryb.NotificationLevel")]
public enum NotificationLevel
{
    /// <summary>Every message by someone else.</summary>
    All = 0,

    /// <summary>Mentions, replies, reactions and direct messages (the default).</summary>
    Mentions = 1,

    /// <summary>Nothing from this server or channel.</summary>
    None = 2,
}
