using System.Text.RegularExpressions;
using Cryb.Grains.Guilds;
using Cryb.Grains.Messages;
using Cryb.Grains.Notifications;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Notifications;
using Cryb.Presence;

namespace Cryb.Grains.Channels;

/// <summary>
/// Whom a channel's new messages notify, and why (docs/notifications.md): the users named, the
/// members reached by <c>@everyone</c> or a role, the author replied to, the other side of a direct
/// message, and members whose level here is "all". Only members who can view the channel; one
/// draft per message and user, by the first kind that applies. Blocks and settings are left to the
/// statement that writes them (<see cref="NotificationStatement"/>), which reads them in the same
/// transaction.
/// </summary>
/// <remarks>Used only on its grain activation's scheduler.</remarks>
internal sealed partial class MessageNotifications(
    string channelId,
    Func<ChannelState> channel,
    Func<ChannelPolicy> policy,
    GuildMemberRoles guildMembers,
    IGuildStore guilds,
    INotificationStore notifications,
    IGrainFactory grains,
    TimeProvider time)
{
    /// <summary>
    /// What a grain passes where a method takes a gateway's credential: the silos check credentials
    /// only on calls from outside the cluster (CallerAuthorizationFilter).
    /// </summary>
    private static readonly ServiceCredential InsideTheCluster = new("silo", "");

    private IReadOnlyList<string> _roster = [];
    private DateTimeOffset _rosterReadAt = DateTimeOffset.MinValue;
    private IReadOnlyList<string> _levelAll = [];
    private DateTimeOffset _levelAllReadAt = DateTimeOffset.MinValue;

    public async Task<IReadOnlyList<NotificationDraft>> DraftsAsync(IReadOnlyList<ChatMessage> messages)
    {
        var state = channel();
        var levelAll = state.IsDirect ? [] : await LevelAllAsync(state);
        var drafts = new List<NotificationDraft>();
        foreach (var message in messages)
        {
            var recipients = new Dictionary<string, NotificationKind>(StringComparer.Ordinal);
            if (state.IsDirect)
            {
                await AddAsync(recipients, message.Mentions, NotificationKind.Mention);
                await AddAsync(recipients, message.ReplyTo is { } quoted ? [quoted.AuthorId] : [], NotificationKind.Reply);
                await AddAsync(recipients, state.Members.Keys, NotificationKind.DirectMessage);
            }
            else
            {
                await AddAsync(recipients, message.Mentions, NotificationKind.Mention);
                var author = policy().GuildPermissionsOf(message.AuthorId);
                var mayMentionEveryone = Permission.Has(author, Permission.MentionEveryone);
                if (mayMentionEveryone && EveryonePattern().Matches(message.Content) is { Count: > 0 } mass)
                {
                    var roster = await RosterAsync(state);
                    var everyone = mass.Any(match => match.Groups[1].Value == "everyone");
                    await AddAsync(recipients, everyone ? roster : await OnlineAsync(roster), NotificationKind.Everyone);
                }

                var roleIds = RolePattern().Matches(message.Content).Select(match => match.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
                if (!mayMentionEveryone && state.Access is { } access)
                {
                    roleIds.IntersectWith(access.MentionableRoleIds);
                }

                if (roleIds.Count > 0 && state.IsGuildChannel)
                {
                    var roster = await RosterAsync(state);
                    await AddAsync(recipients, roster.Where(member => guildMembers.TryGet(member, out var held) && held.Any(roleIds.Contains)), NotificationKind.RoleMention);
                }

                await AddAsync(recipients, message.ReplyTo is { } quoted ? [quoted.AuthorId] : [], NotificationKind.Reply);
                await AddAsync(recipients, levelAll, NotificationKind.Message);
            }

            recipients.Remove(message.AuthorId);
            var messageId = Guid.Parse(message.Id);
            var excerpt = MessageRules.Excerpt(message.Content);
            drafts.AddRange(recipients.Select(recipient => new NotificationDraft(
                recipient.Key, Guid.CreateVersion7(), recipient.Value, message.AuthorId, state.GuildId, channelId,
                messageId, MessageSeq: null, excerpt, message.CreatedAt, Scoped: true)));
        }

        return drafts;
    }

    /// <summary>Adds those of <paramref name="userIds"/> who can view the channel and have no kind yet.</summary>
    private async Task AddAsync(Dictionary<string, NotificationKind> recipients, IEnumerable<string> userIds, NotificationKind kind)
    {
        var fresh = userIds.Where(id => !recipients.ContainsKey(id)).ToArray();
        if (fresh.Length == 0)
        {
            return;
        }

        var state = channel();
        if (state.IsGuildChannel)
        {
            await guildMembers.LoadAsync(guilds, state.GuildId!, fresh);
        }

        var rules = policy();
        foreach (var userId in fresh)
        {
            if (rules.HasMember(userId, out _))
            {
                recipients[userId] = kind;
            }
        }
    }

    /// <summary>Every member, at most <see cref="NotificationLimits.MaxMassMentionRecipients"/>, their roles loaded; read again past <see cref="NotificationLimits.RosterKeptFor"/>.</summary>
    private async Task<IReadOnlyList<string>> RosterAsync(ChannelState state)
    {
        if (!state.IsGuildChannel)
        {
            return state.Members.Keys.ToArray();
        }

        if (time.GetUtcNow() - _rosterReadAt < NotificationLimits.RosterKeptFor)
        {
            return _roster;
        }

        var roster = new List<string>();
        string? after = null;
        while (roster.Count < NotificationLimits.MaxMassMentionRecipients)
        {
            var page = await guilds.ListMembersAsync(state.GuildId!, after, GuildLimits.MaxMembersPerChunk);
            foreach (var member in page)
            {
                guildMembers.Set(member.UserId, member.RoleIds, member.Version);
                roster.Add(member.UserId);
            }

            if (page.Count < GuildLimits.MaxMembersPerChunk)
            {
                break;
            }

            after = page[^1].UserId;
        }

        (_roster, _rosterReadAt) = (roster, time.GetUtcNow());
        return roster;
    }

    /// <summary>
    /// Those of <paramref name="userIds"/> online, idle or in do-not-disturb (what <c>@here</c>
    /// reaches), from the presence feeds: one call per shard, whatever the number of members.
    /// </summary>
    private async Task<IReadOnlyList<string>> OnlineAsync(IReadOnlyList<string> userIds)
    {
        var shards = await Task.WhenAll(userIds.GroupBy(PresenceFeeds.KeyOf).Select(shard =>
            grains.GetGrain<IPresenceFeedGrain>(shard.Key).GetOnline(InsideTheCluster, shard.ToArray())));
        return shards.SelectMany(online => online).Select(change => change.Presence.UserId).ToArray();
    }

    private async Task<IReadOnlyList<string>> LevelAllAsync(ChannelState state)
    {
        if (time.GetUtcNow() - _levelAllReadAt >= NotificationLimits.RosterKeptFor)
        {
            (_levelAll, _levelAllReadAt) = (await notifications.UsersWithLevelAllAsync(state.GuildId, channelId), time.GetUtcNow());
        }

        return _levelAll;
    }

    [GeneratedRegex(@"(?<![\w<])@(everyone|here)\b")]
    private static partial Regex EveryonePattern();

    [GeneratedRegex("<@&([A-Za-z0-9_.-]{1,64})>")]
    private static partial Regex RolePattern();
}
