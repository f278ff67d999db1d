using Cryb.Channels;
using Cryb.Errors;
using Cryb.Grains.Security;
using Cryb.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Cryb.Grains.Channels;

/// <summary>
/// Moves every stored standalone channel into a server of its own, a batch per timer tick: reads
/// <see cref="BatchSize"/> channel keys after its place (<see cref="StoredChannels"/>), calls
/// <see cref="IChannelGrain.MigrateToGuild"/> on them, a few at a time, and stores its place. Each
/// channel's grain does the move one call at a time with its other calls, so the sweep and live
/// traffic never move one channel twice; a channel already moved (or a direct message, or deleted)
/// answers at once.
/// </summary>
public sealed partial class ChannelSweepGrain(
    [PersistentState("channel-sweep", StorageNames.Default)] IPersistentState<ChannelSweepState> state,
    StoredChannels channels,
    ServiceAccounts accounts,
    IOptions<ClusterOptions> cluster,
    TimeProvider time,
    ILogger<ChannelSweepGrain> logger) : Grain, IChannelSweepGrain
{
    /// <summary>Channels read per tick: a short index range read, and a state write per batch.</summary>
    private const int BatchSize = 100;

    /// <summary>Channels moved at once: each move writes a few rows and tells its members' grains; more would crowd out live calls.</summary>
    private const int InFlight = 8;

    private IGrainTimer? _timer;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Running)
        {
            Schedule(); // a pass the previous activation did not finish
        }

        return Task.CompletedTask;
    }

    public async Task<ChannelSweepProgress> Start(ServiceCredential operatorAccount)
    {
        RequireOperator(operatorAccount, nameof(Start));
        if (!state.State.Running)
        {
            state.State = new ChannelSweepState { Running = true, StartedAt = time.GetUtcNow() };
            await state.WriteStateAsync();
            Schedule();
            LogStarted();
        }

        return Progress();
    }

    public Task<ChannelSweepProgress> GetProgress(ServiceCredential operatorAccount)
    {
        RequireOperator(operatorAccount, nameof(GetProgress));
        return Task.FromResult(Progress());
    }

    /// <summary>The silos' filter checked the account for a client's call; checked here again, as every grain checks its callers.</summary>
    private void RequireOperator(ServiceCredential credential, string method)
    {
        var account = accounts.Verify(credential) ?? throw new ChatException(ErrorCodes.Unauthenticated, "The service credential is not valid.");
        if (!ServiceAccounts.Allows(account, nameof(IChannelSweepGrain), method))
        {
            throw new ChatException(ErrorCodes.Forbidden, $"This service account is not granted {nameof(IChannelSweepGrain)}.{method}.");
        }
    }

    /// <summary>
    /// Not interleaved (a batch and <see cref="Start"/> never overlap); keeps the grain alive while a
    /// pass runs, since nobody else calls it. A failed batch is retried at the next tick.
    /// </summary>
    private void Schedule() => _timer ??= this.RegisterGrainTimer(BatchAsync, new GrainTimerCreationOptions
    {
        DueTime = TimeSpan.Zero,
        Period = TimeSpan.FromMilliseconds(50),
        Interleave = false,
        KeepAlive = true,
    });

    private async Task BatchAsync(CancellationToken cancellationToken)
    {
        var page = await channels.PageAsync(cluster.Value.ServiceId, state.State.After, BatchSize);
        foreach (var slice in page.Chunk(InFlight))
        {
            var moved = await Task.WhenAll(slice.Select(MigrateAsync));
            state.State.Visited += slice.Length;
            state.State.Migrated += moved.Count(outcome => outcome == true);
            state.State.Failed += moved.Count(outcome => outcome is null);
        }

        if (page.Count > 0)
        {
            state.State.After = page[^1];
        }

        if (page.Count < BatchSize)
        {
            state.State.Running = false;
            state.State.FinishedAt = time.GetUtcNow();
            _timer?.Dispose();
            _timer = null;
            LogFinished(state.State.Visited, state.State.Migrated, state.State.Failed);
        }

        await state.WriteStateAsync();
    }

    /// <summary>Whether the channel moved; null if it failed (logged; a next pass, or its next use, moves it).</summary>
    private async Task<bool?> MigrateAsync(StoredChannelKey key)
    {
        try
        {
            return await GrainFactory.GetGrain<IChannelGrain>(key.ChannelId).MigrateToGuild();
        }
        catch (Exception ex)
        {
            LogChannelFailed(ex, key.ChannelId);
            return null;
        }
    }

    private ChannelSweepProgress Progress() => new(state.State.Running, state.State.Visited, state.State.Migrated,
        state.State.Failed, state.State.StartedAt, state.State.FinishedAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Standalone channel sweep started")]
    private partial void LogStarted();

    [LoggerMessage(Level = LogLevel.Information, Message = "Standalone channel sweep finished: {Visited} channels looked at, {Migrated} moved into servers, {Failed} failed")]
    private partial void LogFinished(long visited, long migrated, long failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Standalone channel sweep: channel {ChannelId} could not be moved; its next use or the next pass moves it")]
    private partial void LogChannelFailed(Exception exception, string channelId);
}
