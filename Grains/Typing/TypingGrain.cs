using Cryb.Channels;
using Cryb.Errors;
using Cryb.Identity;
using Cryb.Typing;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Cryb.Grains.Typing;

/// <summary>
/// Who is typing in one channel. Nothing is persisted on purpose: typing lasts seconds, and after a
/// restart the truth is that nobody is typing. Only changes to the set of typers are published, so
/// renewals cost no event; an expiry sweep runs only while someone is typing.
/// </summary>
public sealed class TypingGrain(IOptions<TypingOptions> options, TimeProvider time) : Grain, ITypingGrain
{
    private readonly Dictionary<string, DateTimeOffset> _expiresAt = [];
    private IAsyncStream<ChannelEvent> _events = null!;
    private IGrainTimer? _sweep;

    private string ChannelId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _events = this.GetStreamProvider(StreamNames.Provider)
            .GetStream<ChannelEvent>(StreamId.Create(StreamNames.Channel, ChannelId));
        return Task.CompletedTask;
    }

    public async Task Start(Caller caller)
    {
        // The channel answers IsMember between its other calls, so this cannot deadlock with a send.
        if (!await GrainFactory.GetGrain<IChannelGrain>(ChannelId).IsMember(caller))
        {
            throw new ChatException(ErrorCodes.NotAMember, "Only members can type here.");
        }

        var isNew = !_expiresAt.ContainsKey(caller.MemberId);
        _expiresAt[caller.MemberId] = time.GetUtcNow() + options.Value.Expiry;
        if (isNew)
        {
            _sweep ??= this.RegisterGrainTimer(SweepAsync, new GrainTimerCreationOptions
            {
                DueTime = SweepPeriod,
                Period = SweepPeriod,
                KeepAlive = true, // typers must expire even if nobody calls again
            });
            await PublishAsync();
        }
    }

    public Task Stop(Caller caller) => RemoveAsync(caller.MemberId);

    public Task StopOnSend(string memberId) => RemoveAsync(memberId);

    private TimeSpan SweepPeriod => options.Value.Expiry / 10;

    private async Task RemoveAsync(string memberId)
    {
        if (_expiresAt.Remove(memberId))
        {
            await PublishAsync();
        }
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var expired = _expiresAt.Where(entry => entry.Value <= now).Select(entry => entry.Key).ToArray();
        foreach (var memberId in expired)
        {
            _expiresAt.Remove(memberId);
        }

        if (expired.Length > 0)
        {
            await PublishAsync();
        }

        if (_expiresAt.Count == 0)
        {
            _sweep?.Dispose();
            _sweep = null;
        }
    }

    private Task PublishAsync() =>
        _events.OnNextAsync(new TypingUpdated(ChannelId, _expiresAt.Keys.Order(StringComparer.Ordinal).ToArray()));
}
