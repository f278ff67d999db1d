using Cryb.Channels;
using Cryb.Errors;
using Cryb.Grains.Channels;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Grains;

/// <summary>
/// Who may do what in a server's text channel: the channel has no members of its own, a caller is
/// one when the server's rows list them (their roles loaded) and they may view it; sends, deletions
/// of others' messages and reactions need their permissions; the channel-level membership methods
/// belong to the server. No cluster, no storage.
/// </summary>
public sealed class GuildChannelPolicyTests
{
    private const string Guild = "g1";
    private const string Moderators = "mods";
    private const string Readers = "readers";

    private static readonly Caller Owner = TestAccounts.User("owner");
    private static readonly Caller Member = TestAccounts.User("member");
    private static readonly Caller Moderator = TestAccounts.User("moderator");
    private static readonly Caller Reader = TestAccounts.User("reader");
    private static readonly Caller Outsider = TestAccounts.User("outsider");

    private static ChannelState Channel(params PermissionOverwrite[] overwrites) => ChannelState.AttachedToGuild(
        new GuildChannelAccess(
            new GuildChannel("c1", Guild, GuildChannelType.Text, "general", "", null, 0, 0, overwrites),
            new GuildAccess(Guild, "owner", new Dictionary<string, ulong>
            {
                [Guild] = Permission.EveryoneDefault,
                [Moderators] = Permission.ManageMessages,
                [Readers] = 0,
            }, overwrites, 1)),
        DateTimeOffset.UnixEpoch);

    private static GuildMemberRoles Members()
    {
        var members = new GuildMemberRoles();
        members.Set("owner", [], 1);
        members.Set("member", [], 1);
        members.Set("moderator", [Moderators], 1);
        members.Set("reader", [Readers], 1);
        return members;
    }

    /// <summary>Readers may read but not write, add reactions or see the hidden channel's name.</summary>
    private static readonly PermissionOverwrite ReadersReadOnly =
        new(Readers, OverwriteKind.Role, 0, Permission.SendMessages | Permission.AddReactions);

    [Fact]
    public void A_member_who_may_view_is_a_member_the_owner_its_owner_and_anyone_else_learns_nothing()
    {
        var policy = new ChannelPolicy(Channel(), Members());

        Assert.Equal(ChannelRole.Owner, policy.RequireMember(Owner));
        Assert.Equal(ChannelRole.Member, policy.RequireMember(Member));
        AssertRefused(ErrorCodes.ChannelNotFound, () => policy.RequireMember(Outsider));
        // Not "join first": a server's channel is joined by joining the server, which an outsider cannot see.
        AssertRefused(ErrorCodes.ChannelNotFound, () => policy.RequireMayJoin(Outsider));
        Assert.False(policy.RequireMayJoin(Member)); // already in, nothing to add
    }

    [Fact]
    public void A_channel_hidden_from_everyone_but_a_role_and_a_member_is_absent_for_the_others()
    {
        var hidden = Channel(
            new PermissionOverwrite(Guild, OverwriteKind.Role, 0, Permission.ViewChannel),
            new PermissionOverwrite(Moderators, OverwriteKind.Role, Permission.ViewChannel, 0),
            new PermissionOverwrite("reader", OverwriteKind.Member, Permission.ViewChannel, 0));
        var policy = new ChannelPolicy(hidden, Members());

        policy.RequireMember(Moderator);
        policy.RequireMember(Reader);
        policy.RequireMember(Owner);
        AssertRefused(ErrorCodes.ChannelNotFound, () => policy.RequireMember(Member));
        Assert.Equal(ErrorCodes.ChannelNotFound, policy.SendRefusal("member")?.Code);
    }

    [Fact]
    public void Sends_and_reactions_need_their_permissions_and_are_checked_again_at_commit()
    {
        var members = Members();
        var policy = new ChannelPolicy(Channel(ReadersReadOnly), members);

        policy.RequireMaySend(Member);
        policy.RequireMayReact(Member);
        policy.RequireMember(Reader);
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMaySend(Reader));
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMayReact(Reader));

        // Queued, then removed from the server before the batch commits.
        members.Set("member", null, 2);
        Assert.Equal(ErrorCodes.ChannelNotFound, policy.SendRefusal("member")?.Code);
        // A row read before the removal, answered after it, does not bring the member back.
        members.Set("member", [], 1);
        Assert.True(members.IsRemoved("member"));
    }

    [Fact]
    public void A_member_whose_roles_are_not_in_memory_at_commit_was_checked_when_queued()
    {
        var policy = new ChannelPolicy(Channel(), new GuildMemberRoles());

        Assert.Null(policy.SendRefusal("member"));
        AssertRefused(ErrorCodes.ChannelNotFound, () => policy.RequireMaySend(Member));
    }

    [Fact]
    public void Deleting_another_members_message_takes_manage_messages()
    {
        var policy = new ChannelPolicy(Channel(), Members());

        policy.RequireMayDeleteMessage(Member, "member");
        policy.RequireMayDeleteMessage(Moderator, "member");
        policy.RequireMayDeleteMessage(Owner, "member");
        AssertRefused(ErrorCodes.Forbidden, () => policy.RequireMayDeleteMessage(Member, "moderator"));
    }

    [Fact]
    public void Membership_roles_and_settings_belong_to_the_server()
    {
        var policy = new ChannelPolicy(Channel(), Members());

        AssertRefused(ErrorCodes.InvalidArgument, () => policy.RequireMayInvite(Owner, "outsider"));
        AssertRefused(ErrorCodes.InvalidArgument, () => policy.RequireMayLeave(Member));
        AssertRefused(ErrorCodes.InvalidArgument, () => policy.RequireMayKick(Owner, "member"));
        AssertRefused(ErrorCodes.InvalidArgument, () => policy.RequireMayBan(Owner, "member"));
        AssertRefused(ErrorCodes.InvalidArgument, () => policy.RequireMaySetRole(Owner, "member", ChannelRole.Admin));
        AssertRefused(ErrorCodes.InvalidArgument, () => policy.RequireMayUpdate(Owner));
        AssertRefused(ErrorCodes.InvalidArgument, () => policy.RequireMayDelete(Owner));
        Assert.False(policy.LeavesWithDeletedAccount("member"));
    }

    private static void AssertRefused(string code, Action act) => Assert.Equal(code, Assert.Throws<ChatException>(act).Code);

    private static void AssertRefused(string code, Func<object> act) => Assert.Equal(code, Assert.Throws<ChatException>(act).Code);
}
