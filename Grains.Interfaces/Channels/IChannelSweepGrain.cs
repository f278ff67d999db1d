using Cryb.Identity;

namespace Cryb.Channels;

/// <summary>
/// The operator's sweep that moves every standalone channel into a server of its own (issue 19's
/// upgrade), including channels nobody used since: it pages through the stored channels in small
/// batches and calls <see cref="IChannelGrain.MigrateToGuild"/> on each, keeping its place in its
/// state: if its silo stops, the next call (either method) wakes it elsewhere and the pass goes on from there. One activation (key 0) in the cluster.
/// For operators: a service account granted <c>IChannelSweepGrain.Start</c> (or <c>.*</c>), through
/// the Orleans client or a silo's <c>/admin/channel-migration</c> endpoint, which passes the
/// account the request authenticates with.
/// </summary>
[Alias("cryb.IChannelSweepGrain")]
public interface IChannelSweepGrain : IGrainWithIntegerKey
{
    /// <summary>Starts a pass over every stored channel, unless one is running (then its progress is returned).</summary>
    [Alias("Start")]
    Task<ChannelSweepProgress> Start(ServiceCredential operatorAccount);

    [Alias("GetProgress"), Orleans.Concurrency.AlwaysInterleave]
    Task<ChannelSweepProgress> GetProgress(ServiceCredential operatorAccount);
}

/// <summary>How far the sweep is: channels looked at and moved in this pass, and when it started and finished.</summary>
[GenerateSerializer, Immutable, Alias("cryb.ChannelSweepProgress")]
public sealed record ChannelSweepProgress(
    [property: Id(0)] bool Running,
    [property: Id(1)] long Visited,
    [property: Id(2)] long Migrated,
    [property: Id(3)] long Failed,
    [property: Id(4)] DateTimeOffset? StartedAt,
    [property: Id(5)] DateTimeOffset? FinishedAt);
