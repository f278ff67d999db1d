using Microsoft.Extensions.Logging;

namespace Cryb.Grains.Storage;

/// <summary>
/// Every PostgreSQL command of a silo goes through here (the storage decorators: the message store,
/// its writer and grain storage), and this is the one place a storage failure is translated: it
/// runs the command once more when <see cref="StorageFailures"/> allows, turns a storage failure
/// that remains into <c>storage_unavailable</c> (which crosses the wire, where Npgsql's exceptions
/// have no Orleans codec), and after a timeout refuses at once for <see cref="OpenFor"/>. Any other
/// exception passes through untouched: it is a defect, and reaches the client as <c>internal_error</c>.
/// </summary>
/// <remarks>
/// The refusing window exists for calls queued behind a hung command: a grain runs one call at a
/// time, so without it the second send to a channel would wait for the first one's timeout and then
/// its own, outlasting the grain call timeout and leaving its client with an unknown outcome.
/// </remarks>
public sealed partial class StorageGuard(TimeProvider time, ILogger<StorageGuard> logger)
{
    /// <summary>
    /// Long enough for the calls queued behind a timed-out one to be refused (they run right after
    /// it), short enough that PostgreSQL's return is noticed at once.
    /// </summary>
    public static readonly TimeSpan OpenFor = TimeSpan.FromSeconds(1);

    private long _refuseUntilTicks;

    /// <summary>
    /// Runs a read: once more after a broken connection; <c>storage_unavailable</c> if it still
    /// fails. <paramref name="subject"/> (a channel or grain id) is only logged.
    /// </summary>
    public Task<T> ReadAsync<T>(Func<Task<T>> read, object? subject) =>
        GuardAsync(read, StorageFailures.MayRetryRead, subject);

    /// <inheritdoc cref="ReadAsync{T}(Func{Task{T}}, object?)"/>
    public Task ReadAsync(Func<Task> read, object? subject) =>
        GuardAsync(Completed(read), StorageFailures.MayRetryRead, subject);

    /// <summary>Runs a write: once more only if it took no effect; <c>storage_unavailable</c> if it still fails.</summary>
    public Task<T> WriteAsync<T>(Func<Task<T>> write, object? subject) =>
        GuardAsync(write, StorageFailures.TookNoEffect, subject);

    /// <summary>
    /// Runs a write that may run twice without harm (it inserts what is missing, or sets values
    /// again), so after any broken connection, as a read: a pooled connection left from before a
    /// PostgreSQL restart breaks with no SQL state, which does not prove the write took no effect.
    /// </summary>
    public Task RepeatableWriteAsync(Func<Task> write, object? subject) =>
        GuardAsync(Completed(write), StorageFailures.MayRetryRead, subject);

    /// <inheritdoc cref="WriteAsync{T}(Func{Task{T}}, object?)"/>
    public Task WriteAsync(Func<Task> write, object? subject) =>
        GuardAsync(Completed(write), StorageFailures.TookNoEffect, subject);

    private async Task<T> GuardAsync<T>(Func<Task<T>> operation, Func<Exception, bool> mayRetry, object? subject)
    {
        if (time.GetUtcNow().UtcTicks < Volatile.Read(ref _refuseUntilTicks))
        {
            throw StorageFailures.Unavailable();
        }

        try
        {
            try
            {
                return await operation();
            }
            catch (Exception ex) when (mayRetry(ex))
            {
                LogRetrying(ex, subject);
                return await operation();
            }
        }
        catch (Exception ex) when (StorageFailures.IsStorageFailure(ex))
        {
            if (StorageFailures.IsTimeout(ex))
            {
                Volatile.Write(ref _refuseUntilTicks, (time.GetUtcNow() + OpenFor).UtcTicks);
            }

            LogFailed(ex, subject);
            throw StorageFailures.Unavailable();
        }
    }

    private static Func<Task<bool>> Completed(Func<Task> operation) => async () =>
    {
        await operation();
        return true;
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage command for {Subject} met a closed connection; running it once more")]
    private partial void LogRetrying(Exception exception, object? subject);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage command for {Subject} failed; refused as storage_unavailable")]
    private partial void LogFailed(Exception exception, object? subject);
}
