using Cryb.Grains.Streaming;
using Cryb.Channels;
using Cryb.Errors;
using Cryb.Grains.Notifications;
using Cryb.Grains.Telemetry;
using Cryb.Identity;
using Cryb.Notifications;
using Cryb.Relationships;
using Cryb.Users;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Cryb.Grains.Relationships;

/// <summary>
/// A user's relationships, held in memory from <see cref="IRelationshipStore"/> while active. A
/// change is decided and written in one transaction on the pair's row (<see cref="RelationshipRules"/>),
/// applied here, then read by the other user's grain (<see cref="IRelationshipGrain.PairChanged"/>):
/// each grain publishes only its own user's events, in the order its copy of the pair moved. A copy
/// is replaced only by a newer version, so a change read twice, or late, changes nothing.
/// </summary>
public sealed partial class RelationshipGrain(IRelationshipStore store, SiloMetrics metrics, TimeProvider time, ILogger<RelationshipGrain> logger) : Grain, IRelationshipGrain
{
    private readonly Dictionary<string, PairSides> _pairs = new(StringComparer.Ordinal);
    private PrivacySettings _privacy = PrivacySettings.Default;

    /// <summary>Pending invitations, by channel id.</summary>
    private readonly Dictionary<string, Invitation> _invitations = new(StringComparer.Ordinal);

    private string UserId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var pair in await store.ListAsync(UserId))
        {
            _pairs[pair.OtherId] = pair;
        }

        _privacy = await store.GetPrivacyAsync(UserId);
        foreach (var invitation in await store.ListInvitationsAsync(UserId))
        {
            _invitations[invitation.ChannelId] = invitation;
        }
    }

    public Task<IReadOnlyList<Relationship>> Get(Caller caller)
    {
        RequireSelf(caller);
        return Task.FromResult(Visible());
    }

    public async Task<Relationship> SendFriendRequest(Caller caller, string userId)
    {
        var other = RequireOther(caller, userId);
        // Their waiting request is accepted whatever their settings say; anything else asks them first.
        if (KindOf(other) != RelationshipKind.Incoming && await Grain(other).RefuseFriendRequestFrom(UserId) is { } refusal)
        {
            throw new ChatException(ErrorCodes.Blocked, refusal);
        }

        var now = time.GetUtcNow();
        return (await ChangeAsync(other, facts => RelationshipRules.SendRequest(facts, now), now)).Visible()!;
    }

    public async Task<Relationship> AcceptFriendRequest(Caller caller, string userId) =>
        (await ChangeAsync(RequireOther(caller, userId), RelationshipRules.Accept, time.GetUtcNow())).Visible()!;

    public Task DeclineFriendRequest(Caller caller, string userId) =>
        ChangeAsync(RequireOther(caller, userId), RelationshipRules.Decline, time.GetUtcNow());

    public Task CancelFriendRequest(Caller caller, string userId) =>
        ChangeAsync(RequireOther(caller, userId), RelationshipRules.Cancel, time.GetUtcNow());

    public Task RemoveFriend(Caller caller, string userId) =>
        ChangeAsync(RequireOther(caller, userId), RelationshipRules.RemoveFriend, time.GetUtcNow());

    public async Task<Relationship> BlockUser(Caller caller, string userId) =>
        (await ChangeAsync(RequireOther(caller, userId), RelationshipRules.Block, time.GetUtcNow())).Visible()!;

    public Task UnblockUser(Caller caller, string userId) =>
        ChangeAsync(RequireOther(caller, userId), RelationshipRules.Unblock, time.GetUtcNow());

    public Task<PrivacySettings> GetPrivacy(Caller caller)
    {
        RequireSelf(caller);
        return Task.FromResult(_privacy);
    }

    public async Task<PrivacySettings> SetPrivacy(Caller caller, PrivacySettings settings)
    {
        RequireSelf(caller);
        if (settings is null || !Enum.IsDefined(settings.DirectMessages) || !Enum.IsDefined(settings.FriendRequests))
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "Give directMessages (everyone, serverMembersAndFriends, friends) and friendRequests (everyone, serverMembers, nobody).");
        }

        await store.SetPrivacyAsync(UserId, settings);
        _privacy = settings;
        return settings;
    }

    public Task<RelationshipsView> GetForGateway(ServiceCredential gateway) =>
        Task.FromResult(new RelationshipsView(
            Visible(),
            _pairs.Values.Where(pair => pair.Theirs == RelationshipKind.Blocked).Select(pair => pair.OtherId).ToArray())
        {
            Invitations = PendingInvitations(),
        });

    public Task<IReadOnlyList<Invitation>> GetInvitations(Caller caller)
    {
        RequireSelf(caller);
        return Task.FromResult(PendingInvitations());
    }

    public async Task AcceptInvitation(Caller caller, string channelId)
    {
        var invitation = RequireInvitation(caller, channelId);
        // The inviter's rights are checked again as the member is added: gone, banned or over a
        // limit, it is refused as their invite would be, and the invitation stays for a retry.
        await GrainFactory.GetGrain<IChannelGrain>(invitation.ChannelId).AddInvited(invitation.InviterId, UserId);
        await RemoveInvitationAsync(invitation.ChannelId, "accepted");
    }

    public Task DeclineInvitation(Caller caller, string channelId) =>
        RemoveInvitationAsync(RequireInvitation(caller, channelId).ChannelId, "declined");

    public async Task AddInvitation(Invitation invitation)
    {
        // A user this one blocked, or who blocked them, invites nobody here (the channel checked; so does this).
        if (KindsOf(invitation.InviterId).BlockedEitherWay)
        {
            throw new ChatException(ErrorCodes.Blocked, RelationshipRules.NotAccepted);
        }

        var (dropped, notified) = await store.AddInvitationAsync(UserId, invitation, InvitationLimits.MaxPending);
        _invitations[invitation.ChannelId] = invitation;
        await this.UserStream(UserId).OnNextAsync(new InvitationReceived(UserId, invitation));
        await AnnounceAsync(notified);
        foreach (var channelId in dropped)
        {
            _invitations.Remove(channelId);
            await this.UserStream(UserId).OnNextAsync(new InvitationRemoved(UserId, channelId, "replaced"));
        }
    }

    public async Task<string?> RefuseDirectMessageFrom(string fromUserId, bool alreadyMember)
    {
        var kinds = KindsOf(fromUserId);
        if (kinds.BlockedEitherWay)
        {
            return RelationshipRules.NotAccepted;
        }

        return _privacy.DirectMessages switch
        {
            _ when alreadyMember => null,
            DirectMessagesFrom.Everyone => null,
            _ when kinds.Mine == RelationshipKind.Friend => null,
            DirectMessagesFrom.ServerMembersAndFriends when await SharesServerWithAsync(fromUserId) => null,
            _ => RelationshipRules.NotAccepted,
        };
    }

    public async Task<string?> RefuseFriendRequestFrom(string fromUserId)
    {
        if (KindsOf(fromUserId).BlockedEitherWay)
        {
            return RelationshipRules.NotAccepted;
        }

        return _privacy.FriendRequests switch
        {
            FriendRequestsFrom.Everyone => null,
            FriendRequestsFrom.ServerMembers when await SharesServerWithAsync(fromUserId) => null,
            _ => RelationshipRules.NotAccepted,
        };
    }

    public Task<PairKinds> KindsWith(string otherUserId) => Task.FromResult(KindsOf(otherUserId));

    public Task<IReadOnlyList<string>> GetFriendIds() =>
        Task.FromResult<IReadOnlyList<string>>(_pairs.Values.Where(pair => pair.Mine == RelationshipKind.Friend).Select(pair => pair.OtherId).ToArray());

    public async Task PairChanged(string otherUserId, long version)
    {
        var pair = await store.ReadAsync(UserId, otherUserId);
        // A deleted row keeps no version: it was emptied at the one the writer names.
        await ApplyAsync(pair.Version >= version ? pair : pair with { Version = version });
    }

    /// <summary>Decides and writes the change, applies it here, has the other side read it, and tells their direct message of a block that came or went.</summary>
    private async Task<PairSides> ChangeAsync(string other, Func<PairFacts, PairDecision> decide, DateTimeOffset now)
    {
        var before = KindsOf(other);
        var held = _pairs.GetValueOrDefault(other)?.Version ?? 0;
        var (written, notified) = await store.ChangeAsync(UserId, other, decide, now);
        if (written.Version == held)
        {
            // Nothing was written (a request sent again, a block repeated): this copy, and the
            // other grain told when it was written, are already the pair as it is.
            return written;
        }

        await ApplyAsync(written);
        await Grain(other).PairChanged(UserId, written.Version);
        await AnnounceAsync(notified);
        var after = KindsOf(other);
        if (before.BlockedEitherWay != after.BlockedEitherWay)
        {
            await GrainFactory.GetGrain<IChannelGrain>(DirectMessages.ChannelId(UserId, other)).DirectBlockChanged(after.BlockedEitherWay);
        }

        LogChanged(UserId, other, written.Mine, written.Theirs);
        return written;
    }

    /// <summary>Takes the pair if it is newer than the copy held, and publishes what changed for this user.</summary>
    private async Task ApplyAsync(PairSides next)
    {
        var previous = _pairs.GetValueOrDefault(next.OtherId) ?? PairSides.Empty(UserId, next.OtherId);
        if (next.Version <= previous.Version)
        {
            return;
        }

        if (next.Mine == RelationshipKind.None && next.Theirs == RelationshipKind.None)
        {
            _pairs.Remove(next.OtherId);
        }
        else
        {
            _pairs[next.OtherId] = next;
        }

        UserEvent? seen = (previous.Mine, next.Mine) switch
        {
            var (was, now) when was == now => null,
            (RelationshipKind.None, _) => new RelationshipAdded(UserId, next.Visible()!),
            (_, RelationshipKind.None) => new RelationshipRemoved(UserId, next.OtherId, next.Version),
            _ => new RelationshipUpdated(UserId, next.Visible()!),
        };
        if (seen is not null)
        {
            await this.UserStream(UserId).OnNextAsync(seen);
        }

        var blockedBy = next.Theirs == RelationshipKind.Blocked;
        if (blockedBy != (previous.Theirs == RelationshipKind.Blocked))
        {
            await this.UserStream(UserId).OnNextAsync(new BlockedByChanged(UserId, next.OtherId, blockedBy, next.Version));
        }
    }

    /// <summary>Tells each recipient's connections of the notifications written with a change.</summary>
    private async Task AnnounceAsync(IReadOnlyList<WrittenNotification> notified)
    {
        metrics.NotificationsCreated(notified);
        foreach (var written in notified)
        {
            await this.UserStream(written.UserId).OnNextAsync(new NotificationCreated(written.UserId, written.Notification));
        }
    }

    private IReadOnlyList<Invitation> PendingInvitations() =>
        _invitations.Values.OrderByDescending(invitation => invitation.CreatedAt).ToArray();

    private Invitation RequireInvitation(Caller caller, string channelId)
    {
        RequireSelf(caller);
        return _invitations.GetValueOrDefault(Ids.Require(channelId, "channelId"))
            ?? throw new ChatException(ErrorCodes.InvitationNotFound, "You have no invitation to that channel.");
    }

    private async Task RemoveInvitationAsync(string channelId, string reason)
    {
        await store.RemoveInvitationAsync(UserId, channelId);
        _invitations.Remove(channelId);
        await this.UserStream(UserId).OnNextAsync(new InvitationRemoved(UserId, channelId, reason));
    }

    private IReadOnlyList<Relationship> Visible() =>
        _pairs.Values.Select(pair => pair.Visible()).OfType<Relationship>().OrderBy(r => r.UserId, StringComparer.Ordinal).ToArray();

    private RelationshipKind KindOf(string other) => _pairs.GetValueOrDefault(other)?.Mine ?? RelationshipKind.None;

    private PairKinds KindsOf(string other) =>
        _pairs.GetValueOrDefault(other) is { } pair ? new PairKinds(pair.Mine, pair.Theirs) : new PairKinds(RelationshipKind.None, RelationshipKind.None);

    private async Task<bool> SharesServerWithAsync(string otherUserId)
    {
        var mine = GrainFactory.GetGrain<IUserGrain>(UserId).GetGuildIds();
        var theirs = GrainFactory.GetGrain<IUserGrain>(otherUserId).GetGuildIds();
        return (await mine).Intersect(await theirs).Any();
    }

    private IRelationshipGrain Grain(string userId) => GrainFactory.GetGrain<IRelationshipGrain>(userId);

    private void RequireSelf(Caller caller)
    {
        if (caller.Kind != CallerKind.User || caller.Id != UserId)
        {
            throw new ChatException(ErrorCodes.Forbidden, "Only the user manages their own friends and blocks.");
        }
    }

    private string RequireOther(Caller caller, string userId)
    {
        RequireSelf(caller);
        var other = Ids.Require(userId, "userId");
        return other == UserId || other.StartsWith(Caller.ServicePrefix, StringComparison.Ordinal)
            ? throw new ChatException(ErrorCodes.InvalidArgument, "A relationship is with another user.")
            : other;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Relationship of {UserId} with {OtherId} is now {Mine} (theirs {Theirs})")]
    private partial void LogChanged(string userId, string otherId, RelationshipKind mine, RelationshipKind theirs);
}
