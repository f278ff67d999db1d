using Cryb.Grains.Channels;
using Cryb.Grains.Guilds;
using Cryb.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Cryb.Tests.Grains;

/// <summary>
/// Which standalone channels move into a server of their own: by default those created before the
/// run's PostgreSQL took the servers schema (the upgrade), read from its migration record; a
/// configured moment wins.
/// </summary>
public sealed class StandaloneChannelCutoffTests(TestServers servers)
{
    [Fact]
    public async Task By_default_channels_older_than_the_servers_schema_move_and_newer_ones_stay_standalone()
    {
        await using var command = servers.DataSource.CreateCommand("SELECT applied_at FROM cryb_schema_migrations WHERE version = 4");
        var upgrade = new DateTimeOffset(DateTime.SpecifyKind((DateTime)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!, DateTimeKind.Utc));
        var cutoff = new StandaloneChannelCutoff(Options.Create(new GuildOptions()), servers.DataSource);

        Assert.True(await cutoff.MovesAsync(upgrade.AddSeconds(-1)));
        Assert.False(await cutoff.MovesAsync(upgrade.AddSeconds(1)));
        Assert.False(await cutoff.MovesAsync(DateTimeOffset.UtcNow)); // what CreateChannel makes now
    }

    [Fact]
    public async Task A_configured_moment_wins_over_the_schema_record()
    {
        var cutoff = new StandaloneChannelCutoff(
            Options.Create(new GuildOptions { MoveStandaloneChannelsCreatedBefore = DateTimeOffset.UtcNow.AddDays(1) }), servers.DataSource);

        Assert.True(await cutoff.MovesAsync(DateTimeOffset.UtcNow));
        Assert.False(await cutoff.MovesAsync(DateTimeOffset.UtcNow.AddDays(2)));
    }
}
