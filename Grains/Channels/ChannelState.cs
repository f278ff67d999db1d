namespace Cryb.Grains.Channels;

/// <summary>
/// The persisted state of a channel: what changes rarely. The message sequence is not here: it is
/// recovered from the messages table on activation, so sending a message writes one row, not state.
/// </summary>
[GenerateSerializer, Alias("cryb.ChannelState")]
public sealed class ChannelState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public string Name { get; set; } = "";
    [Id(2)] public bool IsPrivate { get; set; }
    [Id(3)] public string OwnerId { get; set; } = "";
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public HashSet<string> Members { get; set; } = [];
}
