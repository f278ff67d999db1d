namespace Cryb.Grains.Guilds;

/// <summary>
/// The one sequence a server's versions come from: structural changes store theirs in the
/// <see cref="GuildRecord"/>, member changes in the member's row, so gateways and clients order
/// both kinds alike. Kept in the activation's memory and seeded on activation from the highest
/// stored version; a version also follows the clock, so one given to a change that left no trace
/// (a removed row) is still passed after a restart. The server's voice grain keeps a sequence of
/// its own of the same kind, seeded from its rows.
/// </summary>
internal sealed class GuildVersions(TimeProvider time)
{
    private long _last;

    /// <summary>The newest version given (or stored, on activation): no change of the server has a later one.</summary>
    public long Last => _last;

    /// <summary>Knows <paramref name="version"/> as given before (on activation: the stored ones).</summary>
    public void Seen(long version) => _last = Math.Max(_last, version);

    /// <summary>The next version of the server: above every one given before, and the time in microseconds when that is higher.</summary>
    public long Next()
    {
        var micros = (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
        return _last = Math.Max(_last + 1, micros);
    }
}
