using Cryb.Identity;
using Orleans.Concurrency;

namespace Cryb.Guilds;

/// <summary>
/// Finds the server of an invite code (one stateless worker per silo, reading the invites table)
/// and hands the call to that server's grain, which checks the invite itself.
/// </summary>
[Alias("cryb.IGuildInvitesGrain")]
public interface IGuildInvitesGrain : IGrainWithIntegerKey
{
    /// <summary>The invite's server and its name and size, for a preview before joining; <c>invite_invalid</c> if unknown, expired, used up or revoked.</summary>
    [Alias("Get")]
    Task<GuildInvite> Get(Caller caller, string code);

    /// <summary>Joins the invite's server (<see cref="IGuildGrain.Join"/>).</summary>
    [Alias("Join")]
    Task<GuildState> Join(Caller caller, string code);
}
