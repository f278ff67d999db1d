using Cryb.Guilds;

namespace Cryb.Chaos.Checker;

/// <summary>
/// The server half of the suite's channels live in: its owner (a client of its own, not a checker)
/// gives each server channel a role, hides the channel from <c>@everyone</c> and shows it to that
/// role, and admits each checker client of the channel with an invite and the role. So every
/// scenario runs on server channels as well as standalone ones, and <c>server-roles</c> changes
/// roles while a silo dies.
/// </summary>
public sealed class ChaosServer(CheckerClient owner, string guildId, string inviteCode)
{
    /// <summary>Per server channel, its role.</summary>
    private readonly Dictionary<string, string> _roleOfChannel = new(StringComparer.Ordinal);
    private readonly List<string> _members = [];
    private string _extraRoleId = "";

    public string GuildId { get; } = guildId;

    /// <summary>Odd channels are the server's, even ones standalone.</summary>
    public static bool IsServerChannel(int channel) => channel % 2 == 1;

    public static async Task<ChaosServer> CreateAsync(CheckerClient owner)
    {
        var guild = await owner.CallAsync<GuildState>("CreateGuild", "chaos");
        var invite = await owner.CallAsync<GuildInvite>("CreateInvite", guild.Guild.Id, 0, 0);
        var server = new ChaosServer(owner, guild.Guild.Id, invite.Code);
        server._extraRoleId = (await owner.CallAsync<GuildRole>("CreateRole", guild.Guild.Id, new RoleSpec("chaos extra"))).Id;
        return server;
    }

    /// <summary>A text channel only the members given its role can view.</summary>
    public async Task<string> AddChannelAsync(string name)
    {
        var role = await owner.CallAsync<GuildRole>("CreateRole", GuildId, new RoleSpec(name));
        var channel = await owner.CallAsync<GuildChannel>("CreateGuildChannel", GuildId, new GuildChannelSpec(name, GuildChannelType.Text, Overwrites:
        [
            new PermissionOverwrite(GuildId, OverwriteKind.Role, 0, Permission.ViewChannel),
            new PermissionOverwrite(role.Id, OverwriteKind.Role, Permission.ViewChannel, 0),
        ]));
        _roleOfChannel[channel.Id] = role.Id;
        return channel.Id;
    }

    /// <summary>Joins <paramref name="client"/> to the server with the invite and gives it the channel's role.</summary>
    public async Task AdmitAsync(CheckerClient client, string channelId)
    {
        await client.CallAsync<GuildState>("JoinGuild", inviteCode);
        await owner.CallAsync<GuildMember>("AddMemberRole", GuildId, client.UserId, _roleOfChannel[channelId]);
        _members.Add(client.UserId);
    }

    /// <summary>
    /// Until <paramref name="stop"/>: every 200 ms, flips a permission that changes nobody's view on
    /// each channel's role (every server channel is told the new permissions), and gives or takes the
    /// extra role of one member (every server channel is told that member's roles). Calls that fail
    /// while a silo is down are counted and the churn goes on.
    /// </summary>
    public async Task<(int Changes, int Failures)> ChurnRolesAsync(CancellationToken stop)
    {
        var (changes, failures, round) = (0, 0, 0);
        while (!stop.IsCancellationRequested)
        {
            var grant = round % 2 == 0;
            var member = _members[round % _members.Count];
            var calls = _roleOfChannel.Values
                .Select<string, Func<Task>>(roleId => () => owner.CallAsync<GuildRole>("UpdateRole", GuildId, roleId, new RoleSpec(Permissions: grant ? Permission.ChangeNickname : 0UL)))
                .Append(() => owner.CallAsync<GuildMember>(grant ? "AddMemberRole" : "RemoveMemberRole", GuildId, member, _extraRoleId));
            foreach (var call in calls)
            {
                try
                {
                    await call();
                    changes++;
                }
                catch (Exception)
                {
                    failures++;
                }
            }

            round++;
            await Task.Delay(200, CancellationToken.None);
        }

        return (changes, failures);
    }
}
