using Cryb.Channels;
using Cryb.Errors;
using Cryb.Grains.Guilds;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Grains;

/// <summary>
/// The old channel rules on the server a standalone channel moved into (invite, set role, list
/// members, and who counts as what), from the record and the rows alone. No cluster, no storage.
/// </summary>
public sealed class MovedChannelPolicyTests
{
    private const string Id = "c1";

    private static readonly Caller Owner = TestAccounts.User("owner");
    private static readonly Caller Admin = TestAccounts.User("admin");
    private static readonly Caller Member = TestAccounts.User("member");

    private static readonly string Admins = new MovedChannelPolicy(Id, new GuildRecord()).AdminRoleId;

    private static GuildMember Row(string userId, params string[] roleIds) => new(userId, userId, null, roleIds, DateTimeOffset.UnixEpoch, 1);

    private static readonly GuildMember OwnerRow = Row("owner");
    private static readonly GuildMember AdminRow = Row("admin", Admins);
    private static readonly GuildMember MemberRow = Row("member");

    private static MovedChannelPolicy Moved(bool isPrivate) => new(Id, GuildRecord.Adopted(
        new StandaloneChannel(Id, "old", "", isPrivate, "owner", DateTimeOffset.UnixEpoch, ["admin", "member", "owner"], ["admin"], []),
        Admins, version: 5));

    private static void AssertRefused(string code, Action check) => Assert.Equal(code, Assert.Throws<ChatException>(check).Code);

    [Fact]
    public void Roles_read_as_the_channel_had_them_owner_admins_role_then_members()
    {
        var policy = Moved(isPrivate: true);
        Assert.Equal(
            [("owner", ChannelRole.Owner), ("admin", ChannelRole.Admin), ("member", ChannelRole.Member)],
            policy.Listed([MemberRow, AdminRow, OwnerRow]).Select(m => (m.UserId, m.Role)));
    }

    [Fact]
    public void Outsiders_get_the_old_channels_codes_and_a_server_not_made_from_a_channel_refuses_with_invalid_argument()
    {
        AssertRefused(ErrorCodes.NotAMember, () => Moved(isPrivate: false).RequireMember(Member, null));
        AssertRefused(ErrorCodes.ChannelNotFound, () => Moved(isPrivate: true).RequireMember(Member, null));
        AssertRefused(ErrorCodes.ChannelNotFound, () => Moved(isPrivate: true).RequireMember(Member, AdminRow)); // someone else's row

        var server = GuildRecord.Created(Id, "server", "owner", DateTimeOffset.UnixEpoch, version: 5);
        AssertRefused(ErrorCodes.InvalidArgument, () => new MovedChannelPolicy(Id, server).RequireMember(Owner, OwnerRow));
        AssertRefused(ErrorCodes.ChannelNotFound, () => new MovedChannelPolicy(Id, server).RequireMember(Member, null));
    }

    [Fact]
    public void Any_member_invites_to_a_public_one_only_the_owner_or_an_admin_to_a_private_one_and_never_a_banned_user()
    {
        Moved(isPrivate: false).RequireMayInvite(Member, MemberRow, banned: false);
        Moved(isPrivate: true).RequireMayInvite(Admin, AdminRow, banned: false);
        Moved(isPrivate: true).RequireMayInvite(Owner, OwnerRow, banned: false);
        AssertRefused(ErrorCodes.Forbidden, () => Moved(isPrivate: true).RequireMayInvite(Member, MemberRow, banned: false));
        AssertRefused(ErrorCodes.Banned, () => Moved(isPrivate: false).RequireMayInvite(Owner, OwnerRow, banned: true));
    }

    [Fact]
    public void Only_the_owner_sets_roles_to_member_or_admin_on_another_member()
    {
        var policy = Moved(isPrivate: true);
        policy.RequireMaySetRole(Owner, OwnerRow, "member", ChannelRole.Admin, MemberRow);
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMaySetRole(Admin, AdminRow, "member", ChannelRole.Admin, MemberRow));
        AssertRefused(ErrorCodes.InvalidArgument, () => policy.RequireMaySetRole(Owner, OwnerRow, "member", ChannelRole.Owner, MemberRow));
        AssertRefused(ErrorCodes.InvalidArgument, () => policy.RequireMaySetRole(Owner, OwnerRow, "owner", ChannelRole.Member, OwnerRow));
        AssertRefused(ErrorCodes.MemberNotFound, () => policy.RequireMaySetRole(Owner, OwnerRow, "nobody", ChannelRole.Admin, null));
    }

    [Fact]
    public void The_admins_role_made_later_is_the_one_the_adoption_makes()
    {
        var adopted = GuildRecord.Adopted(
            new StandaloneChannel(Id, "old", "", true, "owner", DateTimeOffset.UnixEpoch, ["admin", "owner"], ["admin"], []), Admins, 5);
        Assert.Equal(adopted.Roles[Admins], Moved(isPrivate: true).NewAdminsRole());
    }
}
