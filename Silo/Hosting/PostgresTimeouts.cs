using Cryb.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cryb.Silo.Hosting;

/// <summary>
/// Bounds every wait on PostgreSQL well inside a grain call (<see cref="GrainCalls.Timeout"/>), so a
/// send while PostgreSQL is down, hung or unreachable is refused with <c>storage_unavailable</c> in
/// bounded time and never left to time out with an unknown outcome. Npgsql's defaults (15 s to
/// connect, 30 s per command, 2 s to cancel) would outlast the 30 s call.
/// </summary>
/// <remarks>
/// A command to a hung server waits its command timeout, then Npgsql opens a second connection to
/// cancel it (up to the connect timeout) and waits for the cancellation (up to the cancellation
/// timeout): the three add up, as measured with PostgreSQL stopped by SIGSTOP. With GSS encryption
/// "preferred" (Npgsql's default) that connection is tried twice, with and without it, so the
/// connect timeout counts twice: we turn GSS off unless the connection string asks for it.
/// </remarks>
public static class PostgresTimeouts
{
    /// <summary>Seconds to open a connection, unless the connection string says otherwise; it takes milliseconds.</summary>
    public const int ConnectSeconds = 5;

    /// <summary>Seconds one command may run, unless the connection string says otherwise; ours take milliseconds.</summary>
    public const int CommandSeconds = 10;

    /// <summary>Milliseconds to wait for PostgreSQL to confirm a cancelled command before dropping the connection.</summary>
    public const int CancellationMilliseconds = 2000;

    /// <summary>
    /// The longest one command may keep a call waiting (connect, command and cancellation timeouts
    /// together): two thirds of a grain call, leaving the rest for the call's other work.
    /// </summary>
    public static readonly TimeSpan MaxWait = GrainCalls.Timeout * 2 / 3;

    /// <summary>
    /// <paramref name="connectionString"/> with our timeouts where it sets none; refuses timeouts
    /// that are infinite or add up to more than <see cref="MaxWait"/>, naming the setting.
    /// </summary>
    public static string Apply(string connectionString)
    {
        var given = ConnectionStringKeys.Of(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("TIMEOUT"))
        {
            builder.Timeout = ConnectSeconds;
        }

        if (!given.Contains("COMMANDTIMEOUT"))
        {
            builder.CommandTimeout = CommandSeconds;
        }

        if (!given.Contains("CANCELLATIONTIMEOUT"))
        {
            builder.CancellationTimeout = CancellationMilliseconds;
        }

        if (!given.Contains("GSSENCRYPTIONMODE"))
        {
            builder.GssEncryptionMode = GssEncryptionMode.Disable;
        }

        var connects = builder.GssEncryptionMode == GssEncryptionMode.Prefer ? 2 : 1;
        var longest = TimeSpan.FromSeconds(connects * builder.Timeout + builder.CommandTimeout) + TimeSpan.FromMilliseconds(Math.Max(0, builder.CancellationTimeout));
        if (builder.Timeout == 0 || builder.CommandTimeout == 0 || builder.CancellationTimeout == 0 || longest > MaxWait)
        {
            throw new OptionsValidationException(ConnectionNames.Postgres, typeof(string), [
                $"Invalid setting ConnectionStrings:{ConnectionNames.Postgres} (environment variable ConnectionStrings__{ConnectionNames.Postgres}): " +
                $"Timeout={builder.Timeout} (twice with GSS Encryption Mode=Prefer), Command Timeout={builder.CommandTimeout} and Cancellation Timeout={builder.CancellationTimeout} (ms) " +
                $"must each be finite (not 0) and add up to at most {MaxWait.TotalSeconds:0} s, two thirds of the {GrainCalls.Timeout.TotalSeconds:0} s grain call timeout, " +
                "so that a call PostgreSQL cannot serve is refused with storage_unavailable before its caller times out."]);
        }

        return builder.ConnectionString;
    }
}
