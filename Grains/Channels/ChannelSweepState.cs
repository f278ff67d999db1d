namespace Cryb.Grains.Channels;

/// <summary>The sweep's place and counts, stored after each batch so a new activation resumes it.</summary>
[GenerateSerializer, Alias("cryb.ChannelSweepState")]
public sealed class ChannelSweepState
{
    [Id(0)] public bool Running { get; set; }
    [Id(1)] public StoredChannelKey? After { get; set; }
    [Id(2)] public long Visited { get; set; }
    [Id(3)] public long Migrated { get; set; }
    [Id(4)] public long Failed { get; set; }
    [Id(5)] public DateTimeOffset? StartedAt { get; set; }
    [Id(6)] public DateTimeOffset? FinishedAt { get; set; }
}
