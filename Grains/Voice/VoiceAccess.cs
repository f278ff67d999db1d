using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Voice;

namespace Cryb.Grains.Voice;

/// <summary>What a user may do in a voice channel, from the server's permission inputs for it and the user's member row.</summary>
internal static class VoiceAccess
{
    /// <summary>
    /// The channel and the user's permissions there; a non-member's server is not found, and a
    /// channel they cannot view (or that is gone) is not found either.
    /// </summary>
    public static (GuildChannel Channel, ulong Permissions) Of(GuildChannelAccess? access, GuildMember? member, string userId)
    {
        if (member is null)
        {
            throw new ChatException(ErrorCodes.GuildNotFound, "No such server.");
        }

        var permissions = access is null ? 0 : GuildPermissions.InChannel(access.Access, userId, member.RoleIds);
        if (!Permission.Has(permissions, Permission.ViewChannel))
        {
            throw new ChatException(ErrorCodes.ChannelNotFound, "No such channel in this server.");
        }

        return (access!.Channel, permissions);
    }

    /// <summary>What the user's token allows in the state's channel: publish with speak unless a moderator muted them, subscribe unless deafened, camera and screen with stream.</summary>
    public static VoiceTicket TicketOf(VoiceState state, GuildMember member, ulong permissions) =>
        new(VoiceLimits.RoomOf(state.GuildId, state.ChannelId!), state.UserId, member.Nickname ?? member.Name, state.SessionId,
            CanPublish: !state.Suppress && !state.Mute,
            CanSubscribe: !state.Deaf,
            MayStream: Permission.Has(permissions, Permission.Stream));
}
