using Cryb.Errors;
using Cryb.Grains.Guilds;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Grains;

/// <summary>
/// Who may do what in a server, from its record and the caller's member row alone: permissions,
/// the role hierarchy, overwrites and the limits. No cluster, no storage.
/// </summary>
public sealed class GuildPolicyTests
{
    private const string Guild = "g1";
    private const string Admins = "admins";
    private const string Mods = "mods";
    private const string Helpers = "helpers";

    private static readonly Caller Owner = TestAccounts.User("owner");
    private static readonly Caller Admin = TestAccounts.User("admin");
    private static readonly Caller Mod = TestAccounts.User("mod");
    private static readonly Caller Helper = TestAccounts.User("helper");
    private static readonly Caller Member = TestAccounts.User("member");

    private const ulong ModPermissions = Permission.ManageRoles | Permission.KickMembers | Permission.BanMembers
        | Permission.ManageChannels | Permission.ManageNicknames;

    /// <summary>admins (3, administrator) above mods (2) above helpers (1, kick only) above @everyone.</summary>
    private static GuildRecord Record() => new()
    {
        Exists = true,
        Name = "server",
        OwnerId = "owner",
        Roles =
        {
            [Guild] = new GuildRole(Guild, "@everyone", Permission.EveryoneDefault, 0, false),
            [Helpers] = new GuildRole(Helpers, "helpers", Permission.KickMembers, 1, false),
            [Mods] = new GuildRole(Mods, "mods", ModPermissions, 2, false),
            [Admins] = new GuildRole(Admins, "admins", Permission.Administrator, 3, false),
        },
    };

    private static GuildMember Row(string userId, params string[] roleIds) => new(userId, userId, null, roleIds, DateTimeOffset.UnixEpoch, 1);

    private static readonly GuildMember OwnerRow = Row("owner");
    private static readonly GuildMember AdminRow = Row("admin", Admins);
    private static readonly GuildMember ModRow = Row("mod", Mods);
    private static readonly GuildMember HelperRow = Row("helper", Helpers);
    private static readonly GuildMember MemberRow = Row("member");

    private static GuildPolicy Policy(GuildRecord? record = null) => new(Guild, record ?? Record());

    private static void AssertRefused(string code, Action check) => Assert.Equal(code, Assert.Throws<ChatException>(check).Code);

    [Fact]
    public void An_outsider_or_a_server_that_does_not_exist_is_guild_not_found_and_a_row_of_someone_else_does_not_count()
    {
        AssertRefused(ErrorCodes.GuildNotFound, () => Policy().RequireMember(Member, null));
        AssertRefused(ErrorCodes.GuildNotFound, () => Policy().RequireMember(Member, ModRow));
        AssertRefused(ErrorCodes.GuildNotFound, () => Policy(new GuildRecord()).RequireMember(Owner, OwnerRow));
        Assert.Equal("member", Policy().RequireMember(Member, MemberRow).MemberId);
    }

    [Fact]
    public void The_owner_and_an_administrator_hold_every_permission_and_the_owner_outranks_everyone()
    {
        var owner = Policy().Actor(OwnerRow);
        var admin = Policy().Actor(AdminRow);

        Assert.Equal(Permission.All, owner.Permissions);
        Assert.Equal(int.MaxValue, owner.Highest);
        Assert.Equal(Permission.All, admin.Permissions);
        Assert.Equal(3, admin.Highest);
        Assert.Equal(Permission.EveryoneDefault, Policy().Actor(MemberRow).Permissions);
        Assert.Equal(0, Policy().Actor(MemberRow).Highest);
    }

    public static TheoryData<string, ulong, string?> PermissionCases => new()
    {
        // caller, permission, refusal (null: allowed)
        { "member", Permission.ManageServer, ErrorCodes.Forbidden },
        { "member", Permission.CreateInvite, null },
        { "helper", Permission.KickMembers, null },
        { "helper", Permission.BanMembers, ErrorCodes.Forbidden },
        { "mod", Permission.BanMembers, null },
        { "mod", Permission.ManageServer, ErrorCodes.Forbidden },
        { "admin", Permission.ManageServer, null },
        { "owner", Permission.ManageServer, null },
    };

    [Theory, MemberData(nameof(PermissionCases))]
    public void Server_permissions_come_from_everyone_and_the_members_roles(string caller, ulong permission, string? refusal)
    {
        var row = new[] { OwnerRow, AdminRow, ModRow, HelperRow, MemberRow }.Single(r => r.UserId == caller);
        var check = () => { Policy().Require(TestAccounts.User(caller), row, permission); };
        if (refusal is null)
        {
            check();
        }
        else
        {
            AssertRefused(refusal, check);
        }
    }

    [Fact]
    public void Nobody_creates_a_role_at_or_above_their_highest_or_with_a_permission_they_lack()
    {
        var policy = Policy();

        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMayCreateRole(Mod, ModRow, Permission.KickMembers, position: 2));
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMayCreateRole(Mod, ModRow, Permission.Administrator, position: 1));
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMayCreateRole(Helper, HelperRow, 0, position: 1));
        AssertRefused(ErrorCodes.InvalidArgument, () => policy.RequireMayCreateRole(Mod, ModRow, 0, position: 0));
        AssertRefused(ErrorCodes.InvalidArgument, () => policy.RequireMayCreateRole(Owner, OwnerRow, 1UL << 62, position: 1));
        policy.RequireMayCreateRole(Mod, ModRow, Permission.KickMembers | Permission.ViewChannel, position: 1);
        policy.RequireMayCreateRole(Admin, AdminRow, Permission.Administrator, position: 2);
    }

    [Fact]
    public void A_role_at_or_above_the_callers_highest_is_untouchable_and_updates_add_only_held_permissions()
    {
        var policy = Policy();

        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMayUpdateRole(Mod, ModRow, Mods, new RoleSpec(Name: "renamed")));
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMayUpdateRole(Mod, ModRow, Admins, new RoleSpec(Name: "renamed")));
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMayDeleteRole(Mod, ModRow, Mods));
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMayUpdateRole(Mod, ModRow, Helpers, new RoleSpec(Permissions: Permission.KickMembers | Permission.ManageServer)));
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMayUpdateRole(Mod, ModRow, Helpers, new RoleSpec(Position: 2)));
        AssertRefused(ErrorCodes.RoleNotFound, () => policy.RequireMayUpdateRole(Mod, ModRow, "nope", new RoleSpec(Name: "x")));
        AssertRefused(ErrorCodes.InvalidArgument, () => policy.RequireMayDeleteRole(Owner, OwnerRow, Guild));
        AssertRefused(ErrorCodes.InvalidArgument, () => policy.RequireMayUpdateRole(Owner, OwnerRow, Guild, new RoleSpec(Position: 3)));

        // Taking away a bit the caller lacks is fine; adding one it holds is too.
        policy.RequireMayUpdateRole(Mod, ModRow, Helpers, new RoleSpec(Permissions: Permission.BanMembers));
        policy.RequireMayDeleteRole(Mod, ModRow, Helpers);
        policy.RequireMayUpdateRole(Owner, OwnerRow, Guild, new RoleSpec(Permissions: Permission.ViewChannel));
    }

    [Fact]
    public void Roles_are_assigned_only_below_the_callers_highest_to_members_and_never_everyone()
    {
        var policy = Policy();

        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMayAssignRole(Mod, ModRow, Mods, MemberRow));
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMayAssignRole(Helper, HelperRow, Helpers, MemberRow));
        AssertRefused(ErrorCodes.MemberNotFound, () => policy.RequireMayAssignRole(Mod, ModRow, Helpers, null));
        AssertRefused(ErrorCodes.InvalidArgument, () => policy.RequireMayAssignRole(Owner, OwnerRow, Guild, MemberRow));
        Assert.Equal(Helpers, policy.RequireMayAssignRole(Mod, ModRow, Helpers, MemberRow).Id);
    }

    [Fact]
    public void Kicks_and_bans_reach_only_members_ranked_below_and_never_the_owner_or_oneself()
    {
        var policy = Policy();

        policy.RequireMayKick(Helper, HelperRow, "member", MemberRow);
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMayKick(Helper, HelperRow, "mod", ModRow));
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMayKick(Mod, ModRow, "mod2", Row("mod2", Mods)));
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMayKick(Admin, AdminRow, "owner", OwnerRow));
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMayKick(Member, MemberRow, "helper", HelperRow));
        AssertRefused(ErrorCodes.InvalidArgument, () => policy.RequireMayKick(Mod, ModRow, "mod", ModRow));
        AssertRefused(ErrorCodes.MemberNotFound, () => policy.RequireMayKick(Mod, ModRow, "gone", null));
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMayBan(Helper, HelperRow, "member", MemberRow));
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMayBan(Mod, ModRow, "admin", AdminRow));
        // A non-member may be banned to keep them out.
        policy.RequireMayBan(Mod, ModRow, "stranger", null);
        policy.RequireMayKick(Owner, OwnerRow, "admin", AdminRow);
    }

    [Fact]
    public void The_owner_cannot_leave_and_others_can()
    {
        AssertRefused(ErrorCodes.OwnerCannotLeave, () => Policy().RequireMayLeave(Owner, OwnerRow));
        Policy().RequireMayLeave(Admin, AdminRow);
    }

    [Fact]
    public void Overwrites_need_manage_roles_and_may_not_move_bits_the_caller_lacks_unless_they_hold_every_bit()
    {
        var record = Record();
        record.Roles[Helpers] = record.Roles[Helpers] with { Permissions = Permission.ManageChannels };
        var policy = Policy(record);
        var hide = new PermissionOverwrite(Guild, OverwriteKind.Role, 0, Permission.ViewChannel);
        var grantServer = new PermissionOverwrite(Helpers, OverwriteKind.Role, Permission.ManageServer, 0);

        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMaySetOverwrites(policy.Actor(HelperRow), [], [hide]));
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMaySetOverwrites(policy.Actor(ModRow), [], [grantServer]));
        AssertRefused(ErrorCodes.RoleNotFound, () => policy.RequireMaySetOverwrites(policy.Actor(ModRow), [], [hide with { Id = "nope" }]));
        AssertRefused(ErrorCodes.InvalidArgument, () => policy.RequireMaySetOverwrites(policy.Actor(ModRow), [], [hide, hide with { Allow = Permission.SendMessages }]));
        // Unchanged overwrites are not checked again: a moderator edits one beside an admin's.
        policy.RequireMaySetOverwrites(policy.Actor(ModRow), [grantServer], [grantServer, new PermissionOverwrite("someone", OverwriteKind.Member, 0, Permission.KickMembers)]);
        policy.RequireMaySetOverwrites(policy.Actor(HelperRow), [grantServer], [grantServer]);
        policy.RequireMaySetOverwrites(policy.Actor(AdminRow), [], [grantServer]);
    }

    [Fact]
    public void Limits_on_channels_roles_overwrites_invites_and_members_are_refused_with_their_codes()
    {
        var full = Record();
        for (var i = 0; full.Channels.Count < GuildLimits.MaxChannelsPerGuild; i++)
        {
            full.Channels[$"c{i}"] = new GuildChannel($"c{i}", Guild, GuildChannelType.Text, "c", "", null, i, 0, []);
        }

        for (var i = 0; full.Roles.Count < GuildLimits.MaxRolesPerGuild; i++)
        {
            full.Roles[$"r{i}"] = new GuildRole($"r{i}", "r", 0, 0, false);
        }

        var policy = Policy(full);
        AssertRefused(ErrorCodes.LimitReached, () => policy.RequireMayCreateChannel(Owner, OwnerRow));
        AssertRefused(ErrorCodes.LimitReached, () => policy.RequireMayCreateRole(Owner, OwnerRow, 0, 1));
        AssertRefused(ErrorCodes.LimitReached, () => policy.RequireMayCreateInvite(Owner, OwnerRow, GuildLimits.MaxInvitesPerGuild));
        Policy().RequireMayCreateInvite(Member, MemberRow, GuildLimits.MaxInvitesPerGuild - 1);
        Policy().RequireMayCreateChannel(Owner, OwnerRow);

        var tooMany = Enumerable.Range(0, GuildLimits.MaxOverwritesPerChannel + 1)
            .Select(i => new PermissionOverwrite($"u{i}", OverwriteKind.Member, 0, Permission.SendMessages)).ToArray();
        AssertRefused(ErrorCodes.LimitReached, () => Policy().RequireMaySetOverwrites(Policy().Actor(OwnerRow), [], tooMany));
        Policy().RequireMaySetOverwrites(Policy().Actor(OwnerRow), [], tooMany[..GuildLimits.MaxOverwritesPerChannel]);

        AssertRefused(ErrorCodes.GuildFull, () => Policy().RequireMayJoin(banned: false, memberCount: 10, maxMembers: 10));
        AssertRefused(ErrorCodes.Banned, () => Policy().RequireMayJoin(banned: true, memberCount: 1, maxMembers: 10));
        Policy().RequireMayJoin(banned: false, memberCount: 9, maxMembers: 10);
        AssertRefused(ErrorCodes.GuildFull, () => GuildPolicy.RequireRoomForMembers(8, 3, 10));
    }

    [Fact]
    public void Nicknames_one_own_with_change_nickname_anothers_with_manage_nicknames_below_the_caller()
    {
        var policy = Policy();

        policy.RequireMaySetNickname(Member, MemberRow, "member", MemberRow);
        policy.RequireMaySetNickname(Mod, ModRow, "member", MemberRow);
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMaySetNickname(Member, MemberRow, "helper", HelperRow));
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMaySetNickname(Mod, ModRow, "admin", AdminRow));
    }

    [Fact]
    public void Names_nicknames_and_invite_codes_are_validated()
    {
        Assert.Equal("lounge", GuildRules.ValidateName("  lounge "));
        Assert.Equal(ErrorCodes.InvalidArgument, Assert.Throws<ChatException>(() => GuildRules.ValidateName("")).Code);
        Assert.Equal(ErrorCodes.InvalidArgument, Assert.Throws<ChatException>(() => GuildRules.ValidateName(new string('x', GuildLimits.MaxNameLength + 1))).Code);
        Assert.Null(GuildRules.ValidateNickname("  "));
        Assert.Equal(ErrorCodes.InvalidArgument, Assert.Throws<ChatException>(() => GuildRules.ValidateNickname(new string('x', GuildLimits.MaxNicknameLength + 1))).Code);

        var codes = Enumerable.Range(0, 1000).Select(_ => GuildRules.NewInviteCode()).ToArray();
        Assert.All(codes, code => Assert.True(GuildRules.IsInviteCode(code)));
        Assert.Equal(codes.Length, codes.Distinct().Count());
        Assert.False(GuildRules.IsInviteCode("short"));
        Assert.False(GuildRules.IsInviteCode("abc%defghi"));
    }

    [Fact]
    public void Placing_a_role_renumbers_the_others_without_gaps_or_ties()
    {
        var record = Record();
        var placed = new GuildRole("new", "new", 0, 0, false);

        GuildLayout.PlaceRole(record, Guild, placed, 2);

        Assert.Equal(["admins", "mods", "new", "helpers", Guild], record.OrderedRoles().Select(r => r.Id));
        Assert.Equal([4, 3, 2, 1, 0], record.OrderedRoles().Select(r => r.Position));
        GuildLayout.RemoveRole(record, Guild, "mods");
        Assert.Equal([3, 2, 1, 0], record.OrderedRoles().Select(r => r.Position));
    }
}
