using Cryb.Guilds;
using Cryb.Identity;
using Orleans.Concurrency;

namespace Cryb.Grains.Guilds;

/// <summary>
/// Finds an invite code's server in the invites table and hands the join to that server's grain,
/// which checks the invite again as it counts the use. Stateless: one activation per silo (or more
/// under load), so a popular invite link does not funnel through one grain.
/// </summary>
[StatelessWorker]
public sealed class GuildInvitesGrain(IGuildStore store, TimeProvider time) : Grain, IGuildInvitesGrain
{
    public async Task<GuildInvite> Get(Caller caller, string code)
    {
        var invite = await OpenInviteAsync(code);
        // Anyone holding a code may see whose it is (that is what an invite is for), not members.
        var guild = await GrainFactory.GetGrain<IGuildGrain>(invite.GuildId).GetInfo() ?? throw GuildInvites.Invalid();
        return invite with { GuildName = guild.Name, MemberCount = guild.MemberCount };
    }

    public async Task<GuildState> Join(Caller caller, string code)
    {
        var invite = await OpenInviteAsync(code);
        return await GrainFactory.GetGrain<IGuildGrain>(invite.GuildId).Join(caller, invite.Code);
    }

    private async Task<GuildInvite> OpenInviteAsync(string code)
    {
        var stored = GuildRules.IsInviteCode(code) ? await store.GetInviteAsync(code) : null;
        if (stored is null || stored.Revoked
            || stored.Invite.ExpiresAt <= time.GetUtcNow()
            || stored.Invite.MaxUses > 0 && stored.Invite.Uses >= stored.Invite.MaxUses)
        {
            throw GuildInvites.Invalid();
        }

        return stored.Invite;
    }
}
