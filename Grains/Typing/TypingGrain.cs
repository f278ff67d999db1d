using Cryb.Channels;
using Cryb.Errors;
using Cryb.Identity;
using Cryb.Typing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Cryb.Grains.Typing;

/// <summary>
/// Who is typing in one channel. Only changes to the set of typers are published, so renewals cost
/// no event. The set persists so a typer survives the grain moving to another silo, but writes are
/// coalesced: a change marks the state dirty and the sweep timer writes it at most once per tick,
/// so a typing burst is one write, not one per keystroke. Whether a typer expired is read from the
/// clock wherever the set is used (on load, on every call, on the sweep), not left to the sweep's
/// timing: after a restart longer than the expiry nobody is typing, and a new typer's event never
/// names one whose time ran out since the last tick.
/// </summary>
public sealed class TypingGrain(
    [PersistentState("typing", StorageNames.Default)] IPersistentState<TypingState> state,
    IOptions<TypingOptions> options,
    TimeProvider time,
    ILogger<TypingGrain> logger) : Grain, ITypingGrain
{
    private IAsyncStream<ChannelEvent> _events = null!;
    private IGrainTimer? _sweep;
    private bool _dirty;

    private string ChannelId => this.GetPrimaryKeyString();
    private Dictionary<string, DateTimeOffset> ExpiresAt => state.State.ExpiresAt;
    private TimeSpan SweepPeriod => options.Value.Expiry / 10;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _events = this.GetStreamProvider(StreamNames.Provider)
            .GetStream<ChannelEvent>(StreamId.Create(StreamNames.Channel, ChannelId));
        DropExpired();
        if (ExpiresAt.Count > 0 || _dirty)
        {
            StartSweep();
        }

        return Task.CompletedTask;
    }

    public async Task Start(Caller caller)
    {
        // The channel answers IsMember between its other calls, so this cannot deadlock with a send.
        if (!await GrainFactory.GetGrain<IChannelGrain>(ChannelId).IsMember(caller))
        {
            throw new ChatException(ErrorCodes.NotAMember, "Only members can type here.");
        }

        var expired = DropExpired();
        var isNew = !ExpiresAt.ContainsKey(caller.MemberId);
        ExpiresAt[caller.MemberId] = time.GetUtcNow() + options.Value.Expiry;
        _dirty = true;
        StartSweep();
        if (isNew || expired)
        {
            await PublishAsync();
        }
    }

    public Task Stop(Caller caller) => RemoveAsync(caller.MemberId);

    public Task StopOnSend(string memberId) => RemoveAsync(memberId);

    private async Task RemoveAsync(string memberId)
    {
        var expired = DropExpired();
        if (ExpiresAt.Remove(memberId) || expired)
        {
            _dirty = true;
            await PublishAsync();
        }
    }

    /// <summary>Forgets the typers whose time ran out by the clock's now; true if there were any.</summary>
    private bool DropExpired()
    {
        var now = time.GetUtcNow();
        var expired = ExpiresAt.Where(entry => entry.Value <= now).Select(entry => entry.Key).ToArray();
        foreach (var memberId in expired)
        {
            ExpiresAt.Remove(memberId);
        }

        _dirty |= expired.Length > 0;
        return expired.Length > 0;
    }

    private void StartSweep() =>
        _sweep ??= this.RegisterGrainTimer(SweepAsync, new GrainTimerCreationOptions
        {
            DueTime = SweepPeriod,
            Period = SweepPeriod,
            KeepAlive = true, // typers must expire even if nobody calls again
        });

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        if (DropExpired())
        {
            await PublishAsync();
        }

        if (_dirty)
        {
            await FlushAsync();
        }

        if (ExpiresAt.Count == 0 && !_dirty)
        {
            _sweep?.Dispose();
            _sweep = null;
        }
    }

    private async Task FlushAsync()
    {
        try
        {
            await state.WriteStateAsync();
            _dirty = false;
        }
        catch (Exception ex)
        {
            // Typing is a hint: a failed write is retried at the next tick, and nobody is refused.
            logger.LogWarning(ex, "Storing who types in {ChannelId} failed; retrying", ChannelId);
        }
    }

    private Task PublishAsync() =>
        _events.OnNextAsync(new TypingUpdated(ChannelId, ExpiresAt.Keys.Order(StringComparer.Ordinal).ToArray()) { CommittedAt = time.GetUtcNow() });
}
