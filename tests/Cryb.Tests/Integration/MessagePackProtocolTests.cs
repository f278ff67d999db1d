using Cryb.Channels;
using Cryb.Messages;
using Cryb.Presence;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// Clients of the JSON and the MessagePack protocol in the same channel, on different gateways:
/// each event reaches both with the same content and seq, and every payload (DateTimeOffset,
/// nullable fields, enums, lists) reads back equal to what the sender was acknowledged.
/// </summary>
public sealed class MessagePackProtocolTests(ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>
{
    private ProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Json_and_MessagePack_clients_exchange_messages_with_the_same_content_and_seq()
    {
        await using var json = await Cluster.ConnectAsync(0, TestUsers.New("json"));
        await using var packed = await Cluster.ConnectAsync(1, TestUsers.New("packed"), messagePack: true);
        var ready = await packed.NextAsync<ReadyEvent>("Ready");
        Assert.Equal((packed.UserId, PresenceStatus.Online), (ready.User.Id, ready.Presence.Status));

        var channel = await json.CreateChannelAsync("two protocols");
        var joined = await packed.JoinChannelAsync(channel.Id);
        Assert.Equal(channel, joined.Channel);

        // JSON to MessagePack: nullable fields set (nonce) and unset (reply), a mention, a DateTimeOffset.
        var fromJson = await json.SendMessageAsync(channel.Id, $"hello <@{packed.UserId}>", nonce: Guid.NewGuid().ToString());
        Assert.Equal(fromJson, await packed.NextMessageCreatedAsync());
        Assert.Equal(fromJson, await json.NextMessageCreatedAsync());

        // MessagePack to JSON: a reply (its preview a nested record), no nonce.
        var fromPacked = await packed.SendMessageAsync(channel.Id, "hi back", replyToId: fromJson.Id);
        Assert.Equal(fromJson.Seq + 1, fromPacked.Seq);
        Assert.Equal(fromJson.Id, fromPacked.ReplyTo?.MessageId);
        Assert.Null(fromPacked.Nonce);
        Assert.Equal(fromPacked, await json.NextMessageCreatedAsync());
        Assert.Equal(fromPacked, await packed.NextMessageCreatedAsync());

        // An edit sets the nullable EditedAt; reactions are a list of records.
        var edited = await json.InvokeAsync<ChatMessage>("EditMessage", channel.Id, fromJson.Id, "hello again");
        Assert.NotNull(edited.EditedAt);
        Assert.Equal(edited, await packed.NextAsync<ChatMessage>("MessageEdited"));
        await packed.InvokeAsync<ReactionSummary[]>("AddReaction", channel.Id, fromPacked.Id, "🎉");
        var reactions = await json.NextAsync<ReactionsUpdated>("ReactionsUpdated");
        Assert.Equal(reactions, await ReactionsHeardByAsync(packed), ReactionsComparer.Instance);

        // Presence comes in batches (an array of records): a MessagePack connection hears the JSON
        // user's change of status as a JSON one would.
        await json.InvokeAsync<PresenceInfo>("SetPresence", PresenceStatus.Dnd, null);
        while ((await packed.NextAsync<PresenceInfo>("PresenceUpdated")) is var update && (update.UserId, update.Status) != (json.UserId, PresenceStatus.Dnd))
        {
        }

        // History (newest first) reads the same through either protocol, reactions and all.
        var history = await packed.GetHistoryAsync(channel.Id);
        Assert.Equal(await json.GetHistoryAsync(channel.Id), history);
        Assert.Equal([(fromPacked.Id, reactions.Seq), (edited.Id, edited.RevisionSeq)], history.Select(m => (m.Id, m.RevisionSeq)));
    }

    [Fact]
    public async Task Enums_travel_both_ways_over_MessagePack()
    {
        await using var owner = await Cluster.ConnectAsync(0, TestUsers.New("owner"), messagePack: true);
        await using var member = await Cluster.ConnectAsync(1, TestUsers.New("member"));
        var channel = await owner.CreateChannelAsync("roles");
        await member.JoinChannelAsync(channel.Id);
        Assert.Equal(member.UserId, (await owner.NextAsync<Cryb.Guilds.GuildMemberAdded>("GuildMemberAdded")).Member.UserId);

        // An enum argument from a MessagePack client, and enums in the answer to both protocols
        // (the channel's server says it with its "Admins" role, GuildMemberUpdated).
        await owner.InvokeAsync("SetMemberRole", channel.Id, member.UserId, ChannelRole.Admin);
        Assert.NotEmpty((await member.NextAsync<Cryb.Guilds.GuildMemberUpdated>("GuildMemberUpdated")).Member.RoleIds);
        foreach (var client in new[] { owner, member })
        {
            var roles = (await client.InvokeAsync<MemberWithPresenceEvent[]>("GetMembers", channel.Id)).Select(m => (m.UserId, m.Role));
            Assert.Equal([(owner.UserId, ChannelRole.Owner), (member.UserId, ChannelRole.Admin)], roles);
        }

        var presence = await owner.InvokeAsync<PresenceInfo>("SetPresence", PresenceStatus.Dnd, new PresenceActivity(ActivityKind.Playing, "chess"));
        Assert.Equal((PresenceStatus.Dnd, ActivityKind.Playing), (presence.Status, presence.Activity?.Kind));
    }

    /// <summary>Reactions events are records with a list: equal when their fields and lists are.</summary>
    /// <summary>
    /// The reaction change as <paramref name="client"/> hears it: a <c>ReactionsUpdated</c>, or, when
    /// its gateway filled the change in from the channel grain (the push came late, as it can on a
    /// loaded machine), the message's <c>MessageEdited</c> at the same seq, reactions included, as
    /// docs/protocol.md says a filled change arrives.
    /// </summary>
    private static async Task<ReactionsUpdated> ReactionsHeardByAsync(ChatTestClient client)
    {
        var pushed = client.NextAsync<ReactionsUpdated>("ReactionsUpdated");
        var filled = client.NextAsync<ChatMessage>("MessageEdited");
        // The other wait runs on to its timeout; nothing of its name comes after this in the test.
        var first = await Task.WhenAny(pushed, filled);
        var heard = first.IsCompletedSuccessfully ? first : first == pushed ? filled : pushed;
        if (heard == pushed)
        {
            return await pushed; // if neither came, its timeout names the event
        }

        var message = await filled;
        return new ReactionsUpdated(message.ChannelId, message.Id, message.RevisionSeq, message.Reactions);
    }

    private sealed class ReactionsComparer : IEqualityComparer<ReactionsUpdated>
    {
        public static readonly ReactionsComparer Instance = new();

        public bool Equals(ReactionsUpdated? x, ReactionsUpdated? y) =>
            x is not null && y is not null
            && (x.ChannelId, x.MessageId, x.Seq) == (y.ChannelId, y.MessageId, y.Seq)
            && x.Reactions.SequenceEqual(y.Reactions);

        public int GetHashCode(ReactionsUpdated obj) => obj.Seq.GetHashCode();
    }
}
