using System.Data.Common;
using Cryb.Errors;
using Npgsql;

namespace Cryb.Grains.Storage;

/// <summary>
/// Tells PostgreSQL failing from everything else, and which failures allow a command to run once
/// more. After PostgreSQL restarts every pooled connection is dead, but Npgsql clears its whole pool
/// on the first one it finds broken: one retry of that first command is enough, and with it the
/// first send after PostgreSQL returns succeeds.
/// </summary>
public static class StorageFailures
{
    /// <summary>What a caller sees when PostgreSQL did not answer: nothing was acknowledged, retry.</summary>
    public static ChatException Unavailable() =>
        new(ErrorCodes.StorageUnavailable, "The change could not be stored; retry.");

    /// <summary>PostgreSQL, or the way to it, failed: not a refusal, not a bug in the caller.</summary>
    public static bool IsStorageFailure(Exception exception) => exception is DbException;

    /// <summary>PostgreSQL did not answer in time (connect or command timeout): it is hung, overloaded or unreachable.</summary>
    public static bool IsTimeout(Exception exception) => exception is NpgsqlException { InnerException: TimeoutException };

    /// <summary>
    /// The command certainly took no effect: the server had already ended the connection, or ended
    /// it while the command ran (shutdown, crash, start-up, idle session timeout: <c>57P01</c>,
    /// <c>57P02</c>, <c>57P03</c>, <c>57P05</c>), which rolls back its transaction. A pooled
    /// connection left over from before a restart fails this way.
    /// </summary>
    /// <remarks>
    /// Even if a commit ever slipped in before such an error, running the command again cannot
    /// duplicate it: messages are unique by <c>(channel_id, seq)</c> and by nonce, edits and
    /// deletions set the same values again, and grain state writes are version-checked.
    /// </remarks>
    public static bool TookNoEffect(Exception exception) =>
        exception is PostgresException
        {
            SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.IdleSessionTimeout,
        };

    /// <summary>
    /// A read may run again after any broken connection, but not after a timeout: PostgreSQL is
    /// then slow or unreachable, and a second wait would only double the caller's.
    /// </summary>
    public static bool MayRetryRead(Exception exception) =>
        TookNoEffect(exception) || (exception is NpgsqlException { IsTransient: true } && !IsTimeout(exception));
}
