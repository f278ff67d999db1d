using Cryb.Guilds;

namespace Cryb.Tests.Grains;

/// <summary>
/// The one computation of a member's permissions (<see cref="GuildPermissions"/>) against a table of
/// cases in Discord's documented order: base from <c>@everyone</c> and the member's roles; the
/// channel's <c>@everyone</c> overwrite; all role overwrites (denies, then allows); the member's own
/// overwrite; then the implicit rules.
/// </summary>
public sealed class GuildPermissionsTests
{
    private const string Guild = "g1";
    private const string Owner = "owner";
    private const string Moderators = "mods";
    private const string Muted = "muted";
    private const string Admins = "admins";
    private const string Helpers = "helpers";

    private static readonly IReadOnlyDictionary<string, ulong> Roles = new Dictionary<string, ulong>
    {
        [Guild] = Permission.EveryoneDefault,
        [Moderators] = Permission.ManageMessages | Permission.KickMembers,
        [Muted] = 0,
        [Admins] = Permission.Administrator,
        [Helpers] = Permission.ManageNicknames,
    };

    private static PermissionOverwrite Role(string id, ulong allow = 0, ulong deny = 0) => new(id, OverwriteKind.Role, allow, deny);

    private static PermissionOverwrite Member(string id, ulong allow = 0, ulong deny = 0) => new(id, OverwriteKind.Member, allow, deny);

    private static GuildAccess Access(params PermissionOverwrite[] overwrites) => new(Guild, Owner, Roles, overwrites, 1);

    private const ulong View = Permission.ViewChannel;
    private const ulong Send = Permission.SendMessages;

    public static TheoryData<string, PermissionOverwrite[], string, string[], ulong, ulong> Cases => new()
    {
        // name, overwrites, member, roles, bits that must be set, bits that must be clear
        { "no overwrites: @everyone's defaults", [], "ann", [], Permission.EveryoneDefault, Permission.ManageMessages },
        { "roles add to @everyone", [], "ann", [Moderators], Permission.EveryoneDefault | Permission.ManageMessages, 0 },
        { "a role the server no longer has counts for nothing", [], "ann", ["gone"], Permission.EveryoneDefault, Permission.ManageMessages },
        { "private channel: @everyone denied view hides it", [Role(Guild, deny: View)], "ann", [], 0, Permission.All },
        { "private channel shown to a role", [Role(Guild, deny: View), Role(Moderators, allow: View)], "ann", [Moderators], View | Send | Permission.ManageMessages, 0 },
        { "private channel shown to one member", [Role(Guild, deny: View), Member("ann", allow: View)], "ann", [], View | Send, 0 },
        { "...and not to another", [Role(Guild, deny: View), Member("ann", allow: View)], "bob", [], 0, View },
        { "role allow beats role deny, whatever the role order", [Role(Muted, deny: Send), Role(Moderators, allow: Send)], "ann", [Muted, Moderators], Send, 0 },
        { "role allow beats the @everyone deny", [Role(Guild, deny: Send), Role(Moderators, allow: Send)], "ann", [Moderators], Send, 0 },
        { "a role deny beats @everyone's allow", [Role(Guild, allow: Send), Role(Muted, deny: Send)], "ann", [Muted], View, Send },
        { "the member's deny beats their role's allow", [Role(Moderators, allow: Send), Member("ann", deny: Send)], "ann", [Moderators], View, Send },
        { "the member's allow beats their role's deny", [Role(Muted, deny: Send), Member("ann", allow: Send)], "ann", [Muted], Send, 0 },
        { "the member hidden from a channel others see", [Member("ann", deny: View)], "ann", [], 0, Permission.All },
        { "a member overwrite of someone else does nothing", [Member("bob", deny: View)], "ann", [], View | Send, 0 },
        { "a role overwrite of a role the member lacks does nothing", [Role(Muted, deny: View)], "ann", [Moderators], View, 0 },
        { "no view: nothing is left", [Role(Guild, deny: View, allow: Permission.ManageMessages)], "ann", [], 0, Permission.ManageMessages | Send },
        { "no send: no mention everyone", [Role(Guild, deny: Send, allow: Permission.MentionEveryone)], "ann", [], View, Permission.MentionEveryone },
        { "no connect: no voice bits", [Role(Guild, deny: Permission.Connect, allow: Permission.MuteMembers)], "ann", [], View, Permission.Speak | Permission.MuteMembers },
        { "administrator: everything, overwrites ignored", [Role(Guild, deny: View), Member("ann", deny: View)], "ann", [Admins], Permission.All, 0 },
        { "owner: everything, overwrites ignored", [Role(Guild, deny: View), Member(Owner, deny: View)], Owner, [], Permission.All, 0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Permissions_in_a_channel_follow_the_documented_order(string name, PermissionOverwrite[] overwrites, string member, string[] roles, ulong set, ulong clear)
    {
        var permissions = GuildPermissions.InChannel(Access(overwrites), member, roles);

        Assert.True((permissions & set) == set, $"{name}: expected bits {set} set in {permissions}");
        Assert.True((permissions & clear) == 0, $"{name}: expected bits {clear} clear in {permissions}");
        Assert.Equal(Permission.Has(permissions, View), GuildPermissions.CanView(Access(overwrites), member, roles));
    }

    [Fact]
    public void Base_permissions_are_everyone_or_roles_and_administrator_or_owner_means_all()
    {
        Assert.Equal(Permission.EveryoneDefault, GuildPermissions.Base(Guild, Owner, Roles, "ann", []));
        Assert.Equal(Permission.EveryoneDefault | Permission.ManageNicknames, GuildPermissions.Base(Guild, Owner, Roles, "ann", [Helpers]));
        Assert.Equal(Permission.All, GuildPermissions.Base(Guild, Owner, Roles, "ann", [Admins]));
        Assert.Equal(Permission.All, GuildPermissions.Base(Guild, Owner, Roles, Owner, []));
    }
}
