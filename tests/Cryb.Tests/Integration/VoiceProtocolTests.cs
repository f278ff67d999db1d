using System.Net;
using System.Text.Json;
using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Tests.Infrastructure;
using Cryb.Voice;

namespace Cryb.Tests.Integration;

/// <summary>
/// Voice over the real SignalR protocol, the owner on gateway 0 and the others on gateway 1: joins,
/// state changes and leaves as other members see them, the server's voice states in a new
/// connection's Ready, and a hidden voice channel's states kept from those who cannot view it.
/// Where a test asserts that someone did not get an event, a control user on the same gateway got
/// it first (one gateway sends an event to all its recipients at once).
/// </summary>
[Collection(VoiceProcessClusterCollection.Name)]
public sealed class VoiceProtocolTests(VoiceProcessClusterFixture fixture)
{
    private ProcessCluster Cluster => fixture.Cluster;

    private Task<ChatTestClient> ConnectAsync(int gateway, string name) => Cluster.ConnectAsync(gateway, TestUsers.New(name));

    [Fact]
    public async Task A_join_a_state_change_and_a_leave_are_seen_by_another_member_and_a_new_connection_reads_who_is_in_voice()
    {
        await using var alice = await ConnectAsync(0, "alice");
        await using var bob = await ConnectAsync(1, "bob");
        var guildId = await VoiceSteps.CreateServerAsync(alice, bob);
        var lounge = await alice.InvokeAsync<GuildChannel>("CreateGuildChannel", guildId, new GuildChannelSpec("Lounge", GuildChannelType.Voice, UserLimit: 5));
        Assert.Equal(lounge.Id, (await bob.NextAsync<GuildChannelCreated>("GuildChannelCreated")).Channel.Id);

        var joined = await bob.InvokeAsync<VoiceJoin>("JoinVoice", lounge.Id, false, true);

        Assert.Equal((guildId, lounge.Id, fixture.StandIn.Url), (joined.GuildId, joined.ChannelId, joined.Endpoint));
        Assert.Equal(3, joined.Token.Split('.').Length);
        var seen = await alice.NextAsync<VoiceState>("VoiceStateUpdated");
        Assert.Equal((guildId, lounge.Id, bob.UserId, joined.SessionId, false, true), (seen.GuildId, seen.ChannelId, seen.UserId, seen.SessionId, seen.SelfMute, seen.SelfDeaf));
        Assert.Equal(joined.SessionId, (await bob.NextAsync<VoiceState>("VoiceStateUpdated")).SessionId);

        var muted = await bob.InvokeAsync<VoiceState>("UpdateVoiceState", true, true, false, false);
        Assert.True(muted.SelfMute);
        Assert.Equal(muted, await alice.NextAsync<VoiceState>("VoiceStateUpdated"));

        // A new connection reads who is in voice with the server.
        await using var alicesPhone = await Cluster.ConnectAsync(1, alice.UserId);
        var ready = await alicesPhone.NextAsync<ReadyEvent>("Ready");
        Assert.Equal([muted], Assert.Single(ready.Guilds!).VoiceStates!);

        await bob.InvokeAsync("LeaveVoice");
        var left = await alice.NextAsync<VoiceState>("VoiceStateUpdated");
        Assert.Equal((null, bob.UserId), (left.ChannelId, left.UserId));
        var ended = await bob.NextAsync<VoiceSessionEnded>("VoiceSessionEnded");
        Assert.Equal((joined.SessionId, VoiceEndReasons.Left), (ended.SessionId, ended.Reason));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.NotInVoice, () => bob.InvokeAsync("LeaveVoice"));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.NotInVoice, () => bob.InvokeAsync<VoiceState>("UpdateVoiceState", false, false, false, false));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.ChannelNotFound, () => bob.InvokeAsync<VoiceJoin>("JoinVoice", "no-such-channel", false, false));
    }

    [Fact]
    public async Task The_states_of_a_hidden_voice_channel_reach_only_those_who_can_view_it()
    {
        await using var alice = await ConnectAsync(0, "alice");
        await using var bob = await ConnectAsync(1, "bob");
        await using var carol = await ConnectAsync(1, "carol");
        await using var dave = await ConnectAsync(1, "dave");
        var guildId = await VoiceSteps.CreateServerAsync(alice, bob, carol, dave);
        PermissionOverwrite[] overwrites =
        [
            new(guildId, OverwriteKind.Role, 0, Permission.ViewChannel),
            new(bob.UserId, OverwriteKind.Member, Permission.ViewChannel, 0),
            new(dave.UserId, OverwriteKind.Member, Permission.ViewChannel, 0),
        ];
        var hidden = await alice.InvokeAsync<GuildChannel>("CreateGuildChannel", guildId, new GuildChannelSpec("Staff", GuildChannelType.Voice, Overwrites: overwrites));
        await dave.NextAsync<GuildChannelCreated>("GuildChannelCreated");

        await Refusals.AssertHubRefusesAsync(ErrorCodes.ChannelNotFound, () => carol.InvokeAsync<VoiceJoin>("JoinVoice", hidden.Id, false, false));
        var joined = await bob.InvokeAsync<VoiceJoin>("JoinVoice", hidden.Id, false, false);

        Assert.Equal(joined.SessionId, (await alice.NextAsync<VoiceState>("VoiceStateUpdated")).SessionId);
        Assert.Equal(joined.SessionId, (await dave.NextAsync<VoiceState>("VoiceStateUpdated")).SessionId); // the control, on carol's gateway
        Assert.True(carol.HasNo("VoiceStateUpdated"));
        await using var carolsPhone = await Cluster.ConnectAsync(1, carol.UserId);
        Assert.Empty(Assert.Single((await carolsPhone.NextAsync<ReadyEvent>("Ready")).Guilds!).VoiceStates!);

        await bob.InvokeAsync("LeaveVoice");
        Assert.Null((await dave.NextAsync<VoiceState>("VoiceStateUpdated")).ChannelId);
        Assert.True(carol.HasNo("VoiceStateUpdated"));
    }

    [Fact]
    public async Task LiveKits_participant_left_ends_the_session_it_names_once_and_an_unsigned_webhook_is_refused()
    {
        await using var alice = await ConnectAsync(0, "alice");
        await using var bob = await ConnectAsync(1, "bob");
        var guildId = await VoiceSteps.CreateServerAsync(alice, bob);
        var lounge = await alice.InvokeAsync<GuildChannel>("CreateGuildChannel", guildId, new GuildChannelSpec("Lounge", GuildChannelType.Voice));
        await bob.NextAsync<GuildChannelCreated>("GuildChannelCreated");
        var joined = await bob.InvokeAsync<VoiceJoin>("JoinVoice", lounge.Id, false, false);
        await alice.NextAsync<VoiceState>("VoiceStateUpdated");

        string Left(string eventId, string sessionId) => VoiceSteps.Webhook("participant_left", eventId, guildId, lounge.Id, DateTimeOffset.UtcNow,
            new { identity = bob.UserId, metadata = JsonSerializer.Serialize(new { sessionId }) });
        Task<HttpResponseMessage> PostAsync(string body, bool sign = true) => VoiceSteps.PostWebhookAsync(Cluster, body, sign);

        // Unsigned: refused, and nothing ends.
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(Left("EV_forged", joined.SessionId), sign: false)).StatusCode);
        // A session that is not bob's current one (a late event of an ended session) ends nothing.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Left("EV_old", "an-older-session"))).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Left("EV_left", joined.SessionId))).StatusCode);

        var left = await alice.NextAsync<VoiceState>("VoiceStateUpdated");
        Assert.Equal((null, bob.UserId, joined.SessionId), (left.ChannelId, left.UserId, left.SessionId));
        var ended = await bob.NextAsync<VoiceSessionEnded>("VoiceSessionEnded");
        Assert.Equal((joined.SessionId, VoiceEndReasons.MediaLeft), (ended.SessionId, ended.Reason));

        // LiveKit retrying the same event after bob joined again on the same connection (the same session) ends nothing:
        // alice's next event is bob's mute, not his leaving.
        var again = await bob.InvokeAsync<VoiceJoin>("JoinVoice", lounge.Id, false, false);
        Assert.Equal(again.SessionId, (await alice.NextAsync<VoiceState>("VoiceStateUpdated")).SessionId);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Left("EV_left", again.SessionId))).StatusCode);
        await bob.InvokeAsync<VoiceState>("UpdateVoiceState", true, false, false, false);
        var after = await alice.NextAsync<VoiceState>("VoiceStateUpdated");
        Assert.Equal((lounge.Id, true), (after.ChannelId, after.SelfMute));
    }
}
