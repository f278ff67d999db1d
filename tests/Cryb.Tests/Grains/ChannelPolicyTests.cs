using Cryb.Channels;
using Cryb.Errors;
using Cryb.Grains.Channels;
using Cryb.Identity;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Grains;

/// <summary>
/// Who may do what in a channel, rule by rule, on plain <see cref="ChannelState"/>s: no cluster, no
/// storage. The roles are the channel's own: owner, admin and member (there is no moderator role);
/// a banned user and a non-member are outside; a service caller is a member under <c>service:name</c>.
/// </summary>
public sealed class ChannelPolicyTests
{
    private static readonly Caller Owner = TestAccounts.User("owner");
    private static readonly Caller Admin = TestAccounts.User("admin");
    private static readonly Caller Member = TestAccounts.User("member");
    private static readonly Caller Outsider = TestAccounts.User("outsider");
    private static readonly Caller BannedUser = TestAccounts.User("banned");

    /// <summary>A member of the channel as a service (<c>service:welcome-bot</c>), with the admin role it was given.</summary>
    private static readonly Caller Bot = Caller.Service(TestAccounts.WelcomeBot);

    private static ChannelState Channel(bool isPrivate = false) => new()
    {
        Exists = true,
        Name = "general",
        IsPrivate = isPrivate,
        OwnerId = "owner",
        Members =
        {
            ["owner"] = ChannelRole.Owner,
            ["admin"] = ChannelRole.Admin,
            ["deputy"] = ChannelRole.Admin,
            ["member"] = ChannelRole.Member,
            [Bot.MemberId] = ChannelRole.Admin,
        },
        Banned = { "banned" },
    };

    private static ChannelState Direct() => new()
    {
        Exists = true,
        IsPrivate = true,
        IsDirect = true,
        OwnerId = "owner",
        Members = { ["owner"] = ChannelRole.Member, ["member"] = ChannelRole.Member },
    };

    private static ChannelPolicy Public => new(Channel());
    private static ChannelPolicy Private => new(Channel(isPrivate: true));

    [Fact]
    public void Members_get_their_role_and_a_service_is_a_member_under_its_service_id_only()
    {
        Assert.Equal(ChannelRole.Owner, Public.RequireMember(Owner));
        Assert.Equal(ChannelRole.Admin, Public.RequireMember(Admin));
        Assert.Equal(ChannelRole.Member, Public.RequireMember(Member));
        Assert.Equal(ChannelRole.Admin, Public.RequireMember(Bot));
        Assert.True(Public.HasMember("service:welcome-bot", out _));
        Assert.False(Public.HasMember("welcome-bot", out _)); // a user named like the service is not it
    }

    [Fact]
    public void A_non_member_is_told_to_join_a_public_channel_and_learns_nothing_of_a_private_or_absent_one()
    {
        AssertRefused(ErrorCodes.NotAMember, () => Public.RequireMember(Outsider));
        AssertRefused(ErrorCodes.NotAMember, () => Public.RequireMember(BannedUser));
        AssertRefused(ErrorCodes.ChannelNotFound, () => Private.RequireMember(Outsider));
        AssertRefused(ErrorCodes.ChannelNotFound, () => new ChannelPolicy(new ChannelState()).RequireMember(Owner));
        AssertRefused(ErrorCodes.ChannelNotFound, () => new ChannelPolicy(new ChannelState { Deleted = true }).RequireMember(Owner));
    }

    [Fact]
    public void A_queued_send_is_refused_at_commit_only_if_its_author_is_no_longer_a_member()
    {
        Assert.Null(Public.SendRefusal("member"));
        Assert.Null(Public.SendRefusal(Bot.MemberId));
        Assert.Equal(ErrorCodes.NotAMember, Public.SendRefusal("outsider")?.Code);
        Assert.Equal(ErrorCodes.ChannelNotFound, Private.SendRefusal("outsider")?.Code);
    }

    [Fact]
    public void A_channel_is_created_once_under_an_id_never_used_and_never_a_direct_message_id()
    {
        new ChannelPolicy(new ChannelState()).RequireMayCreate("general");

        AssertRefused(ErrorCodes.InvalidArgument, () => new ChannelPolicy(new ChannelState()).RequireMayCreate("dm-general"));
        AssertRefused(ErrorCodes.ChannelExists, () => Public.RequireMayCreate("general"));
        AssertRefused(ErrorCodes.ChannelExists, () => new ChannelPolicy(new ChannelState { Deleted = true }).RequireMayCreate("general"));
    }

    [Fact]
    public void A_direct_message_channel_belongs_to_its_pair_whichever_of_the_two_opens_it()
    {
        var id = DirectMessages.ChannelId("owner", "member");
        ChannelPolicy.RequireDirectPair(id, Owner, "member");
        ChannelPolicy.RequireDirectPair(id, Member, "owner");

        AssertRefused(ErrorCodes.Forbidden, () => ChannelPolicy.RequireDirectPair(id, Outsider, "member"));
        AssertRefused(ErrorCodes.InvalidArgument, () => ChannelPolicy.RequireDirectPair(id, Owner, "owner"));
        AssertRefused(ErrorCodes.InvalidArgument, () => ChannelPolicy.RequireDirectPair(id, Owner, "not an id"));
    }

    [Fact]
    public void Anyone_not_banned_joins_a_public_channel_and_a_private_one_looks_absent()
    {
        Assert.True(Public.RequireMayJoin(Outsider));
        Assert.False(Public.RequireMayJoin(Member)); // already in: nothing to add
        Assert.False(Private.RequireMayJoin(Member));

        AssertRefused(ErrorCodes.Banned, () => Public.RequireMayJoin(BannedUser));
        AssertRefused(ErrorCodes.ChannelNotFound, () => Private.RequireMayJoin(Outsider));
        AssertRefused(ErrorCodes.ChannelNotFound, () => Private.RequireMayJoin(BannedUser)); // absent beats banned
        AssertRefused(ErrorCodes.ChannelNotFound, () => new ChannelPolicy(new ChannelState()).RequireMayJoin(Outsider));
    }

    [Fact]
    public void Any_member_invites_to_a_public_channel_only_an_admin_or_the_owner_to_a_private_one_and_never_a_banned_user()
    {
        foreach (var inviter in new[] { Owner, Admin, Member, Bot })
        {
            Public.RequireMayInvite(inviter, "newcomer");
        }

        foreach (var inviter in new[] { Owner, Admin, Bot })
        {
            Private.RequireMayInvite(inviter, "newcomer");
        }

        AssertRefused(ErrorCodes.Forbidden, () => Private.RequireMayInvite(Member, "newcomer"));
        AssertRefused(ErrorCodes.Banned, () => Public.RequireMayInvite(Owner, "banned"));
        AssertRefused(ErrorCodes.NotAMember, () => Public.RequireMayInvite(Outsider, "newcomer"));
        AssertRefused(ErrorCodes.InvalidArgument, () => Public.RequireMayInvite(Owner, "not an id"));
        AssertRefused(ErrorCodes.Forbidden, () => new ChannelPolicy(Direct()).RequireMayInvite(Owner, "newcomer"));
    }

    [Fact]
    public void Everyone_but_the_owner_may_leave()
    {
        Public.RequireMayLeave(Admin);
        Public.RequireMayLeave(Member);
        Public.RequireMayLeave(Bot);

        AssertRefused(ErrorCodes.OwnerCannotLeave, () => Public.RequireMayLeave(Owner));
        AssertRefused(ErrorCodes.NotAMember, () => Public.RequireMayLeave(Outsider));
    }

    [Fact]
    public void An_admin_or_the_owner_kicks_members_of_a_lower_role_only()
    {
        Public.RequireMayKick(Owner, "admin");
        Public.RequireMayKick(Owner, "member");
        Public.RequireMayKick(Admin, "member");
        Public.RequireMayKick(Bot, "member");

        AssertRefused(ErrorCodes.Forbidden, () => Public.RequireMayKick(Member, "member"));
        AssertRefused(ErrorCodes.Forbidden, () => Public.RequireMayKick(Admin, "deputy")); // the same role
        AssertRefused(ErrorCodes.Forbidden, () => Public.RequireMayKick(Bot, "admin"));
        AssertRefused(ErrorCodes.InvalidArgument, () => Public.RequireMayKick(Owner, Bot.MemberId)); // user ids only: a service is never a target
        AssertRefused(ErrorCodes.Forbidden, () => Public.RequireMayKick(Admin, "owner"));
        AssertRefused(ErrorCodes.InvalidArgument, () => Public.RequireMayKick(Admin, "admin"));
        AssertRefused(ErrorCodes.MemberNotFound, () => Public.RequireMayKick(Admin, "outsider"));
        AssertRefused(ErrorCodes.NotAMember, () => Public.RequireMayKick(Outsider, "member"));
        AssertRefused(ErrorCodes.InvalidArgument, () => Public.RequireMayKick(Owner, "not an id"));
        AssertRefused(ErrorCodes.Forbidden, () => new ChannelPolicy(Direct()).RequireMayKick(Owner, "member"));
    }

    [Fact]
    public void A_ban_follows_the_kick_rules_and_may_also_keep_out_someone_who_is_not_a_member()
    {
        Public.RequireMayBan(Admin, "member");
        Public.RequireMayBan(Admin, "outsider");
        Public.RequireMayBan(Owner, "banned"); // again: nothing to refuse

        AssertRefused(ErrorCodes.Forbidden, () => Public.RequireMayBan(Member, "outsider"));
        AssertRefused(ErrorCodes.Forbidden, () => Public.RequireMayBan(Admin, "owner"));
        AssertRefused(ErrorCodes.InvalidArgument, () => Public.RequireMayBan(Owner, "owner"));
        AssertRefused(ErrorCodes.Forbidden, () => new ChannelPolicy(Direct()).RequireMayBan(Owner, "member"));
    }

    [Fact]
    public void Only_the_owner_sets_roles_to_member_or_admin_on_another_member()
    {
        Public.RequireMaySetRole(Owner, "member", ChannelRole.Admin);
        Public.RequireMaySetRole(Owner, "admin", ChannelRole.Member);

        AssertRefused(ErrorCodes.Forbidden, () => Public.RequireMaySetRole(Admin, "member", ChannelRole.Admin));
        AssertRefused(ErrorCodes.Forbidden, () => Public.RequireMaySetRole(Bot, "member", ChannelRole.Admin));
        AssertRefused(ErrorCodes.InvalidArgument, () => Public.RequireMaySetRole(Owner, "member", ChannelRole.Owner));
        AssertRefused(ErrorCodes.InvalidArgument, () => Public.RequireMaySetRole(Owner, "owner", ChannelRole.Admin));
        AssertRefused(ErrorCodes.MemberNotFound, () => Public.RequireMaySetRole(Owner, "outsider", ChannelRole.Admin));
        AssertRefused(ErrorCodes.NotAMember, () => Public.RequireMaySetRole(Outsider, "member", ChannelRole.Admin));
        // In a direct message both are plain members, the opener too.
        AssertRefused(ErrorCodes.Forbidden, () => new ChannelPolicy(Direct()).RequireMaySetRole(Owner, "member", ChannelRole.Admin));
    }

    [Fact]
    public void An_admin_or_the_owner_updates_the_channel_and_only_the_owner_deletes_it()
    {
        Public.RequireMayUpdate(Owner);
        Public.RequireMayUpdate(Admin);
        Public.RequireMayUpdate(Bot);
        Public.RequireMayDelete(Owner);

        AssertRefused(ErrorCodes.Forbidden, () => Public.RequireMayUpdate(Member));
        AssertRefused(ErrorCodes.Forbidden, () => Public.RequireMayDelete(Admin));
        AssertRefused(ErrorCodes.Forbidden, () => Public.RequireMayDelete(Bot));
        AssertRefused(ErrorCodes.NotAMember, () => Public.RequireMayUpdate(Outsider));
        AssertRefused(ErrorCodes.ChannelNotFound, () => Private.RequireMayDelete(Outsider));
    }

    [Fact]
    public void A_direct_message_channel_has_no_settings_and_cannot_be_deleted()
    {
        var direct = new ChannelPolicy(Direct());
        var owner = new ChannelState { Exists = true, IsDirect = true, Members = { ["owner"] = ChannelRole.Owner } };

        AssertRefused(ErrorCodes.Forbidden, () => direct.RequireMayUpdate(Owner));
        AssertRefused(ErrorCodes.Forbidden, () => new ChannelPolicy(owner).RequireMayUpdate(Owner));
        AssertRefused(ErrorCodes.Forbidden, () => new ChannelPolicy(owner).RequireMayDelete(Owner));
    }

    [Fact]
    public void Only_the_author_edits_a_message_whatever_anyone_elses_role()
    {
        ChannelPolicy.RequireMayEdit(Member, "member");
        ChannelPolicy.RequireMayEdit(Bot, Bot.MemberId);

        AssertRefused(ErrorCodes.Forbidden, () => ChannelPolicy.RequireMayEdit(Owner, "member"));
        AssertRefused(ErrorCodes.Forbidden, () => ChannelPolicy.RequireMayEdit(Admin, "member"));
    }

    [Fact]
    public void Its_author_an_admin_or_the_owner_deletes_a_message()
    {
        ChannelPolicy.RequireMayDeleteMessage(Member, ChannelRole.Member, "member");
        ChannelPolicy.RequireMayDeleteMessage(Admin, ChannelRole.Admin, "member");
        ChannelPolicy.RequireMayDeleteMessage(Owner, ChannelRole.Owner, "member");
        ChannelPolicy.RequireMayDeleteMessage(Bot, ChannelRole.Admin, "member");

        AssertRefused(ErrorCodes.Forbidden, () => ChannelPolicy.RequireMayDeleteMessage(Member, ChannelRole.Member, "admin"));
    }

    [Fact]
    public void A_deleted_account_leaves_every_channel_but_those_it_owns()
    {
        Assert.True(Public.LeavesWithDeletedAccount("admin"));
        Assert.True(Public.LeavesWithDeletedAccount("member"));
        Assert.False(Public.LeavesWithDeletedAccount("owner"));
        Assert.False(Public.LeavesWithDeletedAccount("outsider"));
        Assert.False(new ChannelPolicy(new ChannelState()).LeavesWithDeletedAccount("member"));
    }

    [Theory]
    [InlineData(false, ErrorCodes.NotAMember)]
    [InlineData(true, ErrorCodes.ChannelNotFound)]
    public void A_non_member_is_refused_everything_a_member_may_do_before_any_other_check(bool isPrivate, string code)
    {
        var policy = new ChannelPolicy(Channel(isPrivate));
        foreach (var caller in new[] { Outsider, BannedUser, TestAccounts.User("welcome-bot") })
        {
            AssertRefused(code, () => policy.RequireMember(caller));
            AssertRefused(code, () => policy.RequireMayInvite(caller, "newcomer"));
            AssertRefused(code, () => policy.RequireMayLeave(caller));
            AssertRefused(code, () => policy.RequireMayKick(caller, "member"));
            AssertRefused(code, () => policy.RequireMayBan(caller, "member"));
            AssertRefused(code, () => policy.RequireMaySetRole(caller, "member", ChannelRole.Admin));
            AssertRefused(code, () => policy.RequireMayUpdate(caller));
            AssertRefused(code, () => policy.RequireMayDelete(caller));
            Assert.Equal(code, policy.SendRefusal(caller.MemberId)?.Code);
        }
    }

    private static void AssertRefused(string code, Action act) => Assert.Equal(code, Assert.Throws<ChatException>(act).Code);

    private static void AssertRefused(string code, Func<object> act) => Assert.Equal(code, Assert.Throws<ChatException>(act).Code);
}
