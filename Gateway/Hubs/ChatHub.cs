using Cryb.Channels;
using Cryb.Errors;
using Cryb.Gateway.Presence;
using Cryb.Presence;
using Cryb.Relationships;
using Cryb.Typing;
using Cryb.Gateway.Fanout;
using Cryb.Gateway.Hosting;
using Cryb.Gateway.Limits;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Limits;
using Cryb.Messages;
using Cryb.Users;
using Cryb.Voice;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Cryb.Gateway.Hubs;

/// <summary>
/// The public chat protocol at <c>/hubs/chat</c>. Stateless like every hub: it authenticates,
/// checks argument shapes, forwards to grains (which authorize the caller themselves) and keeps
/// the fan-out's view of this connection's channels current.
/// </summary>
[Authorize]
public sealed partial class ChatHub(IClusterClient cluster, ServiceCredential account, ChatFanout fanout, GatewayIdentity gateway, GatewayMetrics metrics, RateLimitLeases leases, PresenceRegistrations presenceRegistrations, HubLifetimeManager<ChatHub> lifetime) : Hub<IChatClient>
{
    public const string Path = "/hubs/chat";

    /// <summary>
    /// Presence lookups one call token pays for. A lookup is three grain calls (the presence grain and
    /// two of the user grain), so a token buys at most 60 grain calls, and a full page of 200 costs
    /// 10 tokens of the 20 a user may burst; before, one token bought up to 600.
    /// </summary>
    public const int PresenceLookupsPerToken = 20;

    /// <summary>Activity is reported to presence at most this often per connection: a chat burst is one call.</summary>
    private static readonly TimeSpan ActivityReportInterval = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The connect parameter (<c>?guilds=resume</c>) of a client that holds its servers from an
    /// earlier connection: its <c>Ready</c> lists each server's id and version, not the whole server,
    /// and the client calls <see cref="ResumeGuilds"/>.
    /// </summary>
    public const string ResumeGuildsParameter = "guilds";

    private Caller Caller => Caller.User(Context.UserIdentifier!, account);

    public override async Task OnConnectedAsync()
    {
        var userId = Ids.Require(Context.UserIdentifier, "The token's sub claim");
        var largeThreshold = ConnectLargeThreshold.Of(Context.GetHttpContext()?.Request.Query[ConnectLargeThreshold.Parameter].ToString());
        var displayName = Context.User?.Identity?.Name ?? userId;
        var device = DeviceDetection.Of(Context.GetHttpContext());
        var relationshipsRead = Relationships(userId).GetForGateway(account);
        var session = await User(userId).Connect(Caller, displayName);
        var notificationsRead = Notifications(userId).GetSummary(Caller, session.LastReadSeqs);
        // First the presence grain, which refuses a connection over the user's limit before anything
        // is registered; SignalR skips OnDisconnectedAsync when this method fails, so undo by hand.
        var presence = await Presence(userId).Connect(Caller, new PresenceConnection(Context.ConnectionId, gateway.Id, device));
        try
        {
            var relationships = await relationshipsRead;
            await fanout.ConnectAsync(Context.ConnectionId, userId, device, session.ChannelIds, Context.Abort, relationships, largeThreshold);
            var friendPresences = await FriendPresencesAsync(relationships);
            var guilds = await fanout.Guilds.ConnectAsync(Context.ConnectionId, userId, session.Guilds);
            Context.Items[nameof(ActivityReportInterval)] = DateTimeOffset.UtcNow;
            // From this gateway's views of the channels and servers: no grain call per channel, but
            // for a channel or server no connection here has listed before.
            var guildChannels = guilds.SelectMany(guild => guild.Channels).Where(channel => channel.Type == GuildChannelType.Text).Select(channel => channel.Id);
            var notifications = await notificationsRead;
            var channels = (await fanout.SummariesAsync(userId, session, guildChannels))
                .Select(channel => channel with { MentionCount = notifications.MentionCounts.GetValueOrDefault(channel.Channel.Id) })
                .ToArray();
            // A resuming client is entered in its servers' channels as any other; only the servers
            // themselves wait for its ResumeGuilds.
            var ready = Context.GetHttpContext()?.Request.Query[ResumeGuildsParameter].ToString() == "resume"
                ? new ReadyPayload(new ReadyUser(userId, session.DisplayName), presence, channels, [], guilds.Select(guild => new GuildVersion(guild.Guild.Id, guild.ResumeVersion)).ToArray())
                : new ReadyPayload(new ReadyUser(userId, session.DisplayName), presence, channels, guilds);
            ready = ready with
            {
                Relationships = relationships.Relationships,
                FriendPresences = friendPresences,
                Invitations = relationships.Invitations,
                Notifications = notifications,
            };
            await Clients.Caller.Ready(ready);
            metrics.Connected();
        }
        catch
        {
            await fanout.DisconnectAsync(Context.ConnectionId);
            await presenceRegistrations.DisconnectAsync(userId, Context.ConnectionId);
            throw;
        }
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        metrics.Disconnected();
        await fanout.DisconnectAsync(Context.ConnectionId);
        await presenceRegistrations.DisconnectAsync(Context.UserIdentifier!, Context.ConnectionId);
    }

    public Task<PresenceInfo> SetPresence(PresenceStatus status, PresenceActivity? activity) =>
        Presence(Caller.Id).SetPresence(Caller, status, activity);

    /// <summary>Presence of up to 200 users; a user the caller shares no channel, server or friendship with shows as offline.</summary>
    public async Task<IReadOnlyList<PresenceInfo>> GetPresence(string[] userIds)
    {
        if (userIds is null || userIds.Length > PresenceLimits.MaxBulkUsers)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, $"Ask for 0 to {PresenceLimits.MaxBulkUsers} users at a time.");
        }

        return await PresencesAsync(userIds.Distinct().Select(id => Ids.Require(id, "userIds")).ToArray());
    }

    /// <summary>The user did something (a key press, a click): an idle user is online again.</summary>
    public Task ReportActivity() => Presence(Caller.Id).ReportActivity(Caller, Context.ConnectionId);

    [RateLimited(RateLimitKind.Typing)]
    public async Task StartTyping(string channelId)
    {
        await Typing(channelId).Start(Caller);
        await NoteActivityAsync();
    }

    public Task StopTyping(string channelId) => Typing(channelId).Stop(Caller);

    /// <summary>
    /// A channel without a server: the grain makes it a server of its own (same id). As with
    /// <see cref="CreateGuild"/>, the caller's connections here are in that server (and have its
    /// <c>GuildCreated</c>) when this returns.
    /// </summary>
    public async Task<ChannelInfo> CreateChannel(string name, bool isPrivate)
    {
        var channelId = Ids.NewChannelId();
        await using (await fanout.HoldChannelAsync(channelId))
        {
            var channel = await Channel(channelId).Create(Caller, name, isPrivate);
            if (channel.GuildId == channelId)
            {
                await EnterGuildAsync(await Guild(channelId).GetState(Caller));
            }

            await fanout.AddToChannelAsync(Context.ConnectionId, channelId);
            return channel;
        }
    }

    public async Task<ChannelInfo> OpenDirectMessage(string userId)
    {
        var channelId = DirectMessages.ChannelId(Caller.MemberId, Ids.Require(userId, nameof(userId)));
        await using (await fanout.HoldChannelAsync(channelId))
        {
            var channel = await Channel(channelId).OpenDirect(Caller, userId);
            await fanout.AddToChannelAsync(Context.ConnectionId, channelId);
            return channel;
        }
    }

    public async Task<JoinResult> JoinChannel(string channelId, long? sinceSeq)
    {
        Ids.Require(channelId, nameof(channelId));
        // Subscribe before joining, so events published after the join result are already flowing;
        // the connection itself joins the fan-out group only once the grain has accepted it.
        await using (await fanout.HoldChannelAsync(channelId))
        {
            var result = await Channel(channelId).Join(Caller, sinceSeq);
            await fanout.AddToChannelAsync(Context.ConnectionId, channelId);
            return result;
        }
    }

    public Task InviteToChannel(string channelId, string userId) =>
        Channel(channelId).Invite(Caller, Ids.Require(userId, nameof(userId)));

    /// <summary>
    /// Leaves a channel; a channel that moved into a server of its own at the upgrade (its server has
    /// its id) is left by leaving that server, as leaving the channel did before.
    /// </summary>
    public async Task LeaveChannel(string channelId)
    {
        var channel = Channel(channelId);
        if ((await channel.GetInfo(Caller)).GuildId == channelId)
        {
            await Guild(channelId).Leave(Caller);
            return;
        }

        await channel.Leave(Caller);
    }

    public Task KickMember(string channelId, string userId) =>
        Channel(channelId).Kick(Caller, Ids.Require(userId, nameof(userId)));

    public Task BanMember(string channelId, string userId) =>
        Channel(channelId).Ban(Caller, Ids.Require(userId, nameof(userId)));

    public Task UnbanMember(string channelId, string userId) =>
        Channel(channelId).Unban(Caller, Ids.Require(userId, nameof(userId)));

    public Task SetMemberRole(string channelId, string userId, ChannelRole role) =>
        Channel(channelId).SetMemberRole(Caller, Ids.Require(userId, nameof(userId)), role);

    /// <summary>Members with their roles and, for the first 200, their presence status.</summary>
    public async Task<IReadOnlyList<MemberWithPresence>> GetMembers(string channelId)
    {
        var members = await Channel(channelId).GetMembers(Caller);
        await ChargePresenceLookupsAsync(Math.Min(members.Count, PresenceLimits.MaxBulkUsers));
        var statuses = await Task.WhenAll(members.Take(PresenceLimits.MaxBulkUsers).Select(m => PresenceOrNullAsync(m.UserId)));
        return members.Select((member, i) => new MemberWithPresence(
            member.UserId, member.Role, i < statuses.Length ? statuses[i]?.Status : null)).ToArray();
    }

    public Task<ChannelInfo> UpdateChannel(string channelId, string name, string? topic) =>
        Channel(channelId).Update(Caller, name, topic);

    public Task DeleteChannel(string channelId) => Channel(channelId).Delete(Caller);

    [RateLimited(RateLimitKind.Message)]
    public async Task<ChatMessage> SendMessage(string channelId, string content, string? nonce, string? replyToId)
    {
        var message = await Channel(channelId).SendMessage(Caller, new SendMessageRequest(content, nonce, replyToId));
        await NoteActivityAsync();
        return message;
    }

    [RateLimited(RateLimitKind.Message)]
    public Task<ChatMessage> EditMessage(string channelId, string messageId, string content) =>
        Channel(channelId).EditMessage(Caller, messageId, content);

    public Task DeleteMessage(string channelId, string messageId) => Channel(channelId).DeleteMessage(Caller, messageId);

    public Task<IReadOnlyList<ReactionSummary>> AddReaction(string channelId, string messageId, string emoji) =>
        Channel(channelId).AddReaction(Caller, messageId, emoji);

    public Task<IReadOnlyList<ReactionSummary>> RemoveReaction(string channelId, string messageId, string emoji) =>
        Channel(channelId).RemoveReaction(Caller, messageId, emoji);

    public Task<IReadOnlyList<ChatMessage>> GetHistory(string channelId, long? beforeSeq, int limit) =>
        Channel(channelId).GetHistory(Caller, beforeSeq, limit);

    /// <summary>A server's channel stores the read position through its grain, which checks the caller may view it; the user grain lists only the others.</summary>
    public Task<long> MarkRead(string channelId, long seq) =>
        fanout.Guilds.IsGuildChannel(Ids.Require(channelId, nameof(channelId))) ? Channel(channelId).MarkRead(Caller, seq) : MarkReadAsync(channelId, seq);

    // Servers (guilds): each call is the server grain's, which authorizes the caller (docs/protocol.md, "Servers").

    public async Task<GuildState> CreateGuild(string name) => await EnterGuildAsync(await Guild(Ids.NewChannelId()).Create(Caller, name));

    public Task<GuildInfo> UpdateGuild(string guildId, string name) => Guild(guildId).Update(Caller, name);

    public Task DeleteGuild(string guildId) => Guild(guildId).Delete(Caller);

    public Task<GuildInfo> TransferGuildOwnership(string guildId, string userId) => Guild(guildId).TransferOwnership(Caller, Ids.Require(userId, nameof(userId)));

    public async Task<GuildState> GetGuild(string guildId) => AsListedHere(await Guild(guildId).GetState(Caller));

    /// <summary>Like <see cref="CreateChannel"/>: a text channel's stream is held from before it exists, and the caller is in it when this returns.</summary>
    public async Task<GuildChannel> CreateGuildChannel(string guildId, GuildChannelSpec spec)
    {
        var channelId = Ids.NewChannelId();
        await using (spec?.Type is null or GuildChannelType.Text ? await fanout.HoldChannelAsync(channelId) : null)
        {
            var channel = await Guild(guildId).CreateChannel(Caller, channelId, Required(spec));
            await fanout.Guilds.RefreshAsync(guildId);
            return channel;
        }
    }

    public Task<GuildChannel> UpdateGuildChannel(string guildId, string channelId, GuildChannelSpec spec) =>
        Guild(guildId).UpdateChannel(Caller, Ids.Require(channelId, nameof(channelId)), Required(spec));

    public Task<GuildChannel> MoveGuildChannel(string guildId, string channelId, int position, string? parentId) =>
        Guild(guildId).MoveChannel(Caller, Ids.Require(channelId, nameof(channelId)), position, parentId is null ? null : Ids.Require(parentId, nameof(parentId)));

    public Task DeleteGuildChannel(string guildId, string channelId) => Guild(guildId).DeleteChannel(Caller, Ids.Require(channelId, nameof(channelId)));

    public Task<GuildRole> CreateRole(string guildId, RoleSpec spec) => Guild(guildId).CreateRole(Caller, Required(spec));

    public Task<GuildRole> UpdateRole(string guildId, string roleId, RoleSpec spec) => Guild(guildId).UpdateRole(Caller, Ids.Require(roleId, nameof(roleId)), Required(spec));

    public Task DeleteRole(string guildId, string roleId) => Guild(guildId).DeleteRole(Caller, Ids.Require(roleId, nameof(roleId)));

    public Task<GuildMember> AddMemberRole(string guildId, string userId, string roleId) =>
        Guild(guildId).AddMemberRole(Caller, Ids.Require(userId, nameof(userId)), Ids.Require(roleId, nameof(roleId)));

    public Task<GuildMember> RemoveMemberRole(string guildId, string userId, string roleId) =>
        Guild(guildId).RemoveMemberRole(Caller, Ids.Require(userId, nameof(userId)), Ids.Require(roleId, nameof(roleId)));

    public Task<GuildMember> SetNickname(string guildId, string userId, string? nickname) => Guild(guildId).SetNickname(Caller, Ids.Require(userId, nameof(userId)), nickname);

    public Task<GuildInvite> CreateInvite(string guildId, int maxUses, int maxAgeSeconds) => Guild(guildId).CreateInvite(Caller, maxUses, maxAgeSeconds);

    public Task<GuildInvite> GetInvite(string code) => Invites.Get(Caller, Ids.Require(code, nameof(code)));

    public Task<IReadOnlyList<GuildInvite>> GetInvites(string guildId) => Guild(guildId).GetInvites(Caller);

    public Task RevokeInvite(string guildId, string code) => Guild(guildId).RevokeInvite(Caller, Ids.Require(code, nameof(code)));

    public async Task<GuildState> JoinGuild(string code) => await EnterGuildAsync(await Invites.Join(Caller, Ids.Require(code, nameof(code))));

    public Task LeaveGuild(string guildId) => Guild(guildId).Leave(Caller);

    public Task KickFromGuild(string guildId, string userId) => Guild(guildId).Kick(Caller, Ids.Require(userId, nameof(userId)));

    public Task BanFromGuild(string guildId, string userId, int deleteMessageSeconds, string? reason) =>
        Guild(guildId).Ban(Caller, Ids.Require(userId, nameof(userId)), deleteMessageSeconds, reason);

    public Task UnbanFromGuild(string guildId, string userId) => Guild(guildId).Unban(Caller, Ids.Require(userId, nameof(userId)));

    public Task<IReadOnlyList<GuildBan>> GetGuildBans(string guildId, string? afterUserId) =>
        Guild(guildId).GetBans(Caller, afterUserId is null ? null : Ids.Require(afterUserId, nameof(afterUserId)));

    /// <summary>
    /// A reconnecting client's servers, from the versions it holds (docs/protocol.md, "Resuming
    /// servers"): per server this connection is in, <c>unchanged</c> or the whole server. Servers not
    /// listed come whole; listed ones the user is no longer in are left out of the answer.
    /// </summary>
    public Task<GuildResume[]> ResumeGuilds(GuildVersion[] held)
    {
        if (held is null || held.Length > GuildLimits.MaxGuildsPerUser)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, $"List 0 to {GuildLimits.MaxGuildsPerUser} servers.");
        }

        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var guild in held)
        {
            var guildId = Ids.Require(guild?.GuildId, "guildId");
            versions[guildId] = Math.Max(guild!.Version, versions.GetValueOrDefault(guildId));
        }

        return fanout.Guilds.ResumeAsync(Context.ConnectionId, Caller.Id, versions);
    }

    /// <summary>Answered by <c>GuildMembersChunk</c> events to this connection only; presences for query and user-id requests only, charged as <see cref="GetMembers"/> is.</summary>
    public Task RequestGuildMembers(string guildId, string? query, string[]? userIds, int limit, bool presences, string? nonce) =>
        GuildMemberRequests.SendAsync(Guild(guildId), guildId, Caller, Clients.Caller, query, userIds, limit, presences, nonce, PresencesAsync, DrainedAsync);

    // Friends and blocks (docs/relationships.md): the caller's relationship grain decides.

    public Task<IReadOnlyList<Relationship>> GetRelationships() => Relationships(Caller.Id).Get(Caller);

    public Task<Relationship> SendFriendRequest(string userId) => Relationships(Caller.Id).SendFriendRequest(Caller, Ids.Require(userId, nameof(userId)));

    public Task<Relationship> AcceptFriendRequest(string userId) => Relationships(Caller.Id).AcceptFriendRequest(Caller, Ids.Require(userId, nameof(userId)));

    public Task DeclineFriendRequest(string userId) => Relationships(Caller.Id).DeclineFriendRequest(Caller, Ids.Require(userId, nameof(userId)));

    public Task CancelFriendRequest(string userId) => Relationships(Caller.Id).CancelFriendRequest(Caller, Ids.Require(userId, nameof(userId)));

    public Task RemoveFriend(string userId) => Relationships(Caller.Id).RemoveFriend(Caller, Ids.Require(userId, nameof(userId)));

    public Task<Relationship> BlockUser(string userId) => Relationships(Caller.Id).BlockUser(Caller, Ids.Require(userId, nameof(userId)));

    public Task UnblockUser(string userId) => Relationships(Caller.Id).UnblockUser(Caller, Ids.Require(userId, nameof(userId)));

    public Task<IReadOnlyList<Invitation>> GetInvitations() => Relationships(Caller.Id).GetInvitations(Caller);

    /// <summary>Joins the channel (or server) of a pending invitation; the user's devices then hear <c>ChannelAdded</c> or <c>GuildCreated</c> as on any join.</summary>
    public Task AcceptInvitation(string channelId) => Relationships(Caller.Id).AcceptInvitation(Caller, Ids.Require(channelId, nameof(channelId)));

    public Task DeclineInvitation(string channelId) => Relationships(Caller.Id).DeclineInvitation(Caller, Ids.Require(channelId, nameof(channelId)));

    public Task<PrivacySettings> GetPrivacySettings() => Relationships(Caller.Id).GetPrivacy(Caller);

    public Task<PrivacySettings> SetPrivacySettings(PrivacySettings settings) => Relationships(Caller.Id).SetPrivacy(Caller, settings);

    /// <summary>The online friends' presence, from the presence feeds this gateway reads for servers too (no grain call per friend).</summary>
    private async Task<IReadOnlyList<PresenceInfo>> FriendPresencesAsync(RelationshipsView relationships)
    {
        var friendIds = relationships.Relationships.Where(r => r.Kind == RelationshipKind.Friend).Select(r => r.UserId).ToArray();
        if (friendIds.Length == 0)
        {
            return [];
        }

        var (online, _) = await fanout.Guilds.ReadPresencesAsync(friendIds);
        return online.Select(change => change.Presence).ToArray();
    }

    // Voice (docs/protocol.md, "Voice"): the server's voice grain decides; this gateway finds the server.

    /// <summary>
    /// Joins (or moves to) a voice channel of one of the caller's servers with this connection; the
    /// answer holds the LiveKit endpoint and token. A channel none of the caller's servers here has
    /// is not found, as the grain would say of a channel the caller cannot view.
    /// </summary>
    public async Task<VoiceJoin> JoinVoice(string channelId, bool selfMute, bool selfDeaf)
    {
        Ids.Require(channelId, nameof(channelId));
        var guildId = fanout.Guilds.GuildOfChannel(Context.ConnectionId, channelId)
            ?? throw new ChatException(ErrorCodes.ChannelNotFound, "No such channel in your servers.");
        var joined = await Voice(guildId).Join(Caller, Context.ConnectionId, channelId, selfMute, selfDeaf);
        Context.Items[VoiceServerHint] = guildId;
        return joined;
    }

    /// <summary>Leaves voice, wherever the caller's session is (any device); <c>not_in_voice</c> outside it.</summary>
    public async Task LeaveVoice() => await InVoiceSessionAsync(async voice =>
    {
        await voice.Leave(Caller);
        return true;
    });

    /// <summary>The caller's own mute, deafen, camera and screen share flags in their voice session.</summary>
    public async Task<VoiceState> UpdateVoiceState(bool selfMute, bool selfDeaf, bool selfVideo, bool selfStream) =>
        await InVoiceSessionAsync(voice => voice.UpdateSelf(Caller, selfMute, selfDeaf, selfVideo, selfStream));

    /// <summary>
    /// The server this connection last joined voice in: where the user's session most likely is, so
    /// a leave or an update goes straight to its voice grain instead of asking the presence grain
    /// first (a grain call that queues behind the presence grain's writes: p99 10 to 40 ms under
    /// the voice bench's load). Only a hint: a user has one session, so a server that has one for
    /// them has the right one, and one that has none says <c>not_in_voice</c>.
    /// </summary>
    private const string VoiceServerHint = "voice.server";

    /// <summary>
    /// Runs <paramref name="call"/> on the voice grain of the server that holds the caller's session:
    /// the hinted one first, the one the presence grain names if that server has none.
    /// </summary>
    private async Task<T> InVoiceSessionAsync<T>(Func<IVoiceGrain, Task<T>> call)
    {
        if (Context.Items.TryGetValue(VoiceServerHint, out var hint) && hint is string hintedGuildId)
        {
            try
            {
                return await call(Voice(hintedGuildId));
            }
            catch (ChatException refusal) when (refusal.Code == ErrorCodes.NotInVoice)
            {
                Context.Items.Remove(VoiceServerHint); // the session moved on: ask where it is
            }
        }

        return await call(Voice((await VoiceBindingAsync()).GuildId));
    }

    /// <summary>A moderator's change to a member's voice in the server: server mute, deafen, a move, a disconnect (each optional).</summary>
    public Task<VoiceState> SetMemberVoice(string guildId, string userId, bool? mute, bool? deaf, string? moveToChannelId, bool disconnect) =>
        Voice(Ids.Require(guildId, nameof(guildId))).Moderate(Caller, Ids.Require(userId, nameof(userId)), mute, deaf,
            moveToChannelId is null ? null : Ids.Require(moveToChannelId, nameof(moveToChannelId)), disconnect);

    private async Task<VoiceBinding> VoiceBindingAsync() =>
        await Presence(Caller.Id).GetVoice(Caller) ?? throw new ChatException(ErrorCodes.NotInVoice, "You are in no voice channel.");

    private IVoiceGrain Voice(string guildId) => cluster.GetGrain<IVoiceGrain>(guildId);

    /// <summary>A channel grain for a checked id: ids become grain and stream keys.</summary>
    private IChannelGrain Channel(string channelId) =>
        cluster.GetGrain<IChannelGrain>(Ids.Require(channelId, nameof(channelId)));

    private IUserGrain User(string userId) => cluster.GetGrain<IUserGrain>(userId);

    private IRelationshipGrain Relationships(string userId) => cluster.GetGrain<IRelationshipGrain>(userId);

    private IGuildGrain Guild(string guildId) => cluster.GetGrain<IGuildGrain>(Ids.Require(guildId, nameof(guildId)));

    private IGuildInvitesGrain Invites => cluster.GetGrain<IGuildInvitesGrain>(0);

    private static T Required<T>(T? spec) where T : class =>
        spec ?? throw new ChatException(ErrorCodes.InvalidArgument, $"The {typeof(T).Name} is required.");

    /// <summary>
    /// After a create or a join: this gateway's connections of the caller are in the server's
    /// channels before the call returns (and get <c>GuildCreated</c>), as the user stream's
    /// <c>GuildAdded</c> would do a moment later.
    /// </summary>
    private async Task<GuildState> EnterGuildAsync(GuildState state)
    {
        await fanout.Guilds.AddedAsync(Caller.Id, new GuildMembership(state.Guild.Id, state.Member.RoleIds, state.Member.Version));
        return AsListedHere(state);
    }

    /// <summary>The server's grain lists members up to its own threshold; the connection may have asked for fewer.</summary>
    private GuildState AsListedHere(GuildState state) =>
        ConnectLargeThreshold.Apply(state, fanout.Guilds.Connections.LargeThresholdOf(Context.ConnectionId));

    private async Task<long> MarkReadAsync(string channelId, long seq)
    {
        try
        {
            return await User(Caller.Id).MarkRead(Caller, channelId, seq);
        }
        catch (ChatException refusal) when (refusal.Code == ErrorCodes.ChannelNotFound)
        {
            // A server channel this gateway has not seen in a view: its grain decides.
            return await Channel(channelId).MarkRead(Caller, seq);
        }
    }

    /// <summary>Presence of these users, those who share nothing with the caller left out; charged by their number first.</summary>
    private async Task<IReadOnlyList<PresenceInfo>> PresencesAsync(IReadOnlyList<string> userIds)
    {
        await ChargePresenceLookupsAsync(userIds.Count);
        return (await Task.WhenAll(userIds.Select(PresenceOrNullAsync))).OfType<PresenceInfo>().ToArray();
    }

    private Task DrainedAsync() =>
        lifetime is BoundedHubLifetimeManager<ChatHub> bounded ? bounded.WhenDrainedAsync(Context.ConnectionId) : Task.CompletedTask;

    private IPresenceGrain Presence(string userId) => cluster.GetGrain<IPresenceGrain>(userId);

    private ITypingGrain Typing(string channelId) => cluster.GetGrain<ITypingGrain>(Ids.Require(channelId, nameof(channelId)));

    /// <summary>
    /// Bulk presence reads cost by their size: the filter took one token for the call, which pays for
    /// the first <see cref="PresenceLookupsPerToken"/> lookups, and every further block takes one more
    /// before any lookup is made. Refused with <c>rate_limited</c> like any call over its limit.
    /// </summary>
    private async Task ChargePresenceLookupsAsync(int lookups)
    {
        var extra = (lookups - 1) / PresenceLookupsPerToken;
        if (extra > 0 && await leases.TakeSeveralAsync(Context.UserIdentifier!, RateLimitKind.Call, extra) is { Allowed: false } refused)
        {
            metrics.RateLimited(RateLimitKind.Call);
            throw RateLimitFilter.Refusal("presence lookups", refused);
        }
    }

    private async Task<PresenceInfo?> PresenceOrNullAsync(string userId)
    {
        try
        {
            return await Presence(userId).Get(Caller);
        }
        catch (ChatException refused) when (refused.Code == ErrorCodes.Forbidden)
        {
            // No channel, server or friendship shared (or a block): offline, as for anyone offline,
            // so the answer tells nothing of whether this user is online (Discord's rule).
            return new PresenceInfo(userId, PresenceStatus.Offline, null, [], null);
        }
        catch (ChatException)
        {
            return null; // a service member
        }
    }

    private async Task NoteActivityAsync()
    {
        var now = DateTimeOffset.UtcNow;
        if (Context.Items.TryGetValue(nameof(ActivityReportInterval), out var last) && last is DateTimeOffset at && now - at < ActivityReportInterval)
        {
            return;
        }

        Context.Items[nameof(ActivityReportInterval)] = now;
        await ReportActivity();
    }
}
