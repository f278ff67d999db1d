namespace Cryb.Guilds;

/// <summary>The kind of a server's channel (Discord's numbers). Serialized as its lowercase name.</summary>
[GenerateSerializer, Alias("cryb.GuildChannelType")]
public enum GuildChannelType
{
    /// <summary>Messages, as every channel before servers: a channel grain with its own seq.</summary>
    Text = 0,

    /// <summary>Who is connected to talk (the voice issue); <see cref="GuildChannel.UserLimit"/> caps them.</summary>
    Voice = 2,

    /// <summary>A heading that groups channels (their <see cref="GuildChannel.ParentId"/>); it holds nothing itself.</summary>
    Category = 4,
}
