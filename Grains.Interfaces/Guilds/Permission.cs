namespace Cryb.Guilds;

/// <summary>
/// Permission bits of a server, as a 64-bit set (a <c>ulong</c>; on the wire a JSON number, every bit
/// used here is below 2^53). The values are Discord's, so clients and bots ported from it read the
/// same numbers.
/// </summary>
public static class Permission
{
    public const ulong CreateInvite = 1UL << 0;
    public const ulong KickMembers = 1UL << 1;
    public const ulong BanMembers = 1UL << 2;

    /// <summary>Every permission, in every channel: overwrites do not apply.</summary>
    public const ulong Administrator = 1UL << 3;
    public const ulong ManageChannels = 1UL << 4;
    public const ulong ManageServer = 1UL << 5;
    public const ulong AddReactions = 1UL << 6;

    /// <summary>Camera and screen share in a voice channel (Discord's "video").</summary>
    public const ulong Stream = 1UL << 9;

    /// <summary>Without it a channel, and everything in it, is hidden.</summary>
    public const ulong ViewChannel = 1UL << 10;

    /// <summary>Without it sends are refused, and <see cref="MentionEveryone"/> is void.</summary>
    public const ulong SendMessages = 1UL << 11;
    public const ulong ManageMessages = 1UL << 13;
    public const ulong MentionEveryone = 1UL << 17;

    /// <summary>Without it the voice permissions below are void.</summary>
    public const ulong Connect = 1UL << 20;
    public const ulong Speak = 1UL << 21;
    public const ulong MuteMembers = 1UL << 22;
    public const ulong DeafenMembers = 1UL << 23;
    public const ulong MoveMembers = 1UL << 24;
    public const ulong ChangeNickname = 1UL << 26;
    public const ulong ManageNicknames = 1UL << 27;
    public const ulong ManageRoles = 1UL << 28;

    /// <summary>Every bit defined above; a role or overwrite holding another bit is refused.</summary>
    public const ulong All = CreateInvite | KickMembers | BanMembers | Administrator | ManageChannels | ManageServer
        | AddReactions | Stream | ViewChannel | SendMessages | ManageMessages | MentionEveryone | Connect | Speak
        | MuteMembers | DeafenMembers | MoveMembers | ChangeNickname | ManageNicknames | ManageRoles;

    /// <summary>What <c>@everyone</c> may do in a new server: read, write, react, invite, join voice, speak and stream (as Discord's default).</summary>
    public const ulong EveryoneDefault = ViewChannel | SendMessages | AddReactions | CreateInvite | Connect | Speak | Stream | ChangeNickname;

    /// <summary>
    /// What a standalone channel's admins could do, as a role of the server it moved into: delete
    /// others' messages, kick and ban, change the channel (name, topic), invite.
    /// </summary>
    public const ulong StandaloneAdmin = ManageMessages | KickMembers | BanMembers | ManageChannels | CreateInvite;

    /// <summary>The bits that mean something only with <see cref="Connect"/>.</summary>
    public const ulong Voice = Speak | Stream | MuteMembers | DeafenMembers | MoveMembers;

    /// <summary>Whether <paramref name="set"/> holds every bit of <paramref name="permission"/>.</summary>
    public static bool Has(ulong set, ulong permission) => (set & permission) == permission;
}
