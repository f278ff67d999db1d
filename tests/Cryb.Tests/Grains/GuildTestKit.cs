using Cryb.Guilds;
using Cryb.Identity;
using Npgsql;

namespace Cryb.Tests.Grains;

/// <summary>
/// What the server tests share: fresh server ids and users (the user grains live as long as the
/// cluster, and a user's servers count against their limit), and the server's rows in PostgreSQL.
/// </summary>
internal sealed class GuildTestKit(IClusterClient client, NpgsqlDataSource database)
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..10];

    public IGuildGrain NewGuild() => client.GetGrain<IGuildGrain>(Ids.NewChannelId());

    public IGuildInvitesGrain Invites => client.GetGrain<IGuildInvitesGrain>(0);

    /// <summary>A user of this test alone, through the test gateway.</summary>
    public Caller User(string name) => Infrastructure.TestAccounts.User($"{name}-{_suffix}");

    /// <summary>A server owned by <paramref name="owner"/>, with <paramref name="members"/> joined through one invite.</summary>
    public async Task<(IGuildGrain Guild, GuildState Created)> GuildWithAsync(Caller owner, params Caller[] members)
    {
        var guild = NewGuild();
        var created = await guild.Create(owner, "server");
        if (members.Length > 0)
        {
            var invite = await guild.CreateInvite(owner, 0, 0);
            foreach (var member in members)
            {
                await Invites.Join(member, invite.Code);
            }
        }

        return (guild, created);
    }

    public async Task<long> CountRowsAsync(string table, string guildId)
    {
        await using var command = database.CreateCommand($"SELECT count(*) FROM {table} WHERE guild_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = guildId });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<int> InviteUsesAsync(string code)
    {
        await using var command = database.CreateCommand("SELECT uses FROM guild_invites WHERE code = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = code });
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
