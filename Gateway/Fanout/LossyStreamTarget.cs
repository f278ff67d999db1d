using Cryb.Channels;

namespace Cryb.Gateway.Fanout;

/// <summary>A channel's events with some pushes lost on purpose (<see cref="FanoutFaultOptions.DropMessageSeqs"/>).</summary>
public sealed partial class LossyStreamTarget(string channelId, IStreamTarget<ChannelEvent> target, IReadOnlySet<long> dropSeqs, ILogger logger)
    : IStreamTarget<ChannelEvent>
{
    public IStreamTarget<ChannelEvent> Inner => target;

    public Task OnNextAsync(ChannelEvent item)
    {
        if (item is MessageCreated created && dropSeqs.Contains(created.Message.Seq))
        {
            LogDropped(channelId, created.Message.Seq);
            return Task.CompletedTask;
        }

        return target.OnNextAsync(item);
    }

    public Task CatchUpAsync() => target.CatchUpAsync();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {ChannelId}: dropped the push of seq {Seq} on purpose (Faults:DropMessageSeqs)")]
    private partial void LogDropped(string channelId, long seq);
}
