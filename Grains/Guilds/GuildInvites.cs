using Cryb.Channels;
using Cryb.Errors;
using Cryb.Grains.Channels;
using Cryb.Guilds;

namespace Cryb.Grains.Guilds;

/// <summary>
/// A server's invites: rows in the <see cref="IGuildStore"/>, made, listed and revoked by the
/// server's grain, which has authorized the call. A join counts an invite's use with the member
/// row (<see cref="GuildMembers.AddAsync"/>).
/// </summary>
internal sealed class GuildInvites(string guildId, IGuildStore store, TimeProvider time)
{
    /// <summary>The refusal of a code that admits nobody, both here and at the <see cref="GuildInvitesGrain"/>.</summary>
    public static ChatException Invalid() => new(ErrorCodes.InviteInvalid, "This invite is unknown, expired, used up or revoked.");

    public async Task<int> CountOpenAsync(DateTimeOffset now) => (await store.ListOpenInvitesAsync(guildId, now)).Count;

    public async Task<GuildInvite> CreateAsync(GuildInfo guild, string createdBy, int maxUses, int maxAgeSeconds, DateTimeOffset now)
    {
        var invite = new GuildInvite(GuildRules.NewInviteCode(), guildId, guild.Name, createdBy, maxUses, 0,
            maxAgeSeconds > 0 ? now.AddSeconds(maxAgeSeconds) : null, now, guild.MemberCount);
        await store.AddInviteAsync(invite);
        return invite;
    }

    /// <summary>The open invites, described with the server's name and member count as of now.</summary>
    public async Task<IReadOnlyList<GuildInvite>> ListOpenAsync(GuildInfo guild) =>
        (await store.ListOpenInvitesAsync(guildId, time.GetUtcNow())).Select(invite => invite with { GuildName = guild.Name, MemberCount = guild.MemberCount }).ToArray();

    /// <summary>The invite of this server under <paramref name="code"/>, revoked or not; another server's is none.</summary>
    public async Task<GuildInvite> RequireAsync(string code)
    {
        var stored = GuildRules.IsInviteCode(code) ? await store.GetInviteAsync(code) : null;
        if (stored is null || stored.Invite.GuildId != guildId)
        {
            throw new ChatException(ErrorCodes.InviteInvalid, "No such invite in this server.");
        }

        return stored.Invite;
    }

    public Task RevokeAsync(string code) => store.RevokeInviteAsync(guildId, code);
}
