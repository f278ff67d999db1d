namespace Cryb.Channels;

/// <summary>A member's role in a channel; higher values can do more. Serialized as its lowercase name.</summary>
[GenerateSerializer, Alias("cryb.ChannelRole")]
public enum ChannelRole
{
    Member = 0,
    Admin = 1,
    Owner = 2,
}
