using Cryb.Errors;
using System.Net;
using Cryb.Guilds;
using Cryb.Tests.Infrastructure;
using Cryb.Voice;

namespace Cryb.Tests.Integration;

/// <summary>
/// Ways a voice session ends, over the real SignalR protocol: LiveKit's <c>room_finished</c>, a
/// second device taking the session over, and the gateway of the session's only connection killed.
/// </summary>
[Collection(VoiceProcessClusterCollection.Name)]
public sealed class VoiceSessionEndProtocolTests(VoiceProcessClusterFixture fixture, TestServers servers)
{
    private ProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task LiveKits_room_finished_ends_the_sessions_in_that_room_once_and_leaves_another_rooms()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await Cluster.ConnectAsync(1, TestUsers.New("bob"));
        await using var carol = await Cluster.ConnectAsync(1, TestUsers.New("carol"));
        var guildId = await VoiceSteps.CreateServerAsync(alice, bob, carol);
        var lounge = await VoiceSteps.CreateVoiceChannelAsync(alice, guildId, "Lounge", bob, carol);
        var stage = await VoiceSteps.CreateVoiceChannelAsync(alice, guildId, "Stage", bob, carol);
        var bobs = await bob.InvokeAsync<VoiceJoin>("JoinVoice", lounge.Id, false, false);
        await VoiceSteps.NextStateOfAsync(alice, bob.UserId);
        await carol.InvokeAsync<VoiceJoin>("JoinVoice", stage.Id, false, false);
        await VoiceSteps.NextStateOfAsync(alice, carol.UserId);

        // LiveKit stamps the event when the room closed, after everyone in it joined. The stamp is
        // ahead of this test's clock so that bob's join below is older than it too: only the event
        // id keeps a retry of it from ending that join.
        var finishedAt = DateTimeOffset.UtcNow.AddSeconds(10);
        var finished = VoiceSteps.Webhook("room_finished", "EV_finished_" + guildId, guildId, lounge.Id, finishedAt);
        Assert.Equal(HttpStatusCode.OK, (await VoiceSteps.PostWebhookAsync(Cluster, finished)).StatusCode);

        var left = await VoiceSteps.NextStateOfAsync(alice, bob.UserId);
        Assert.Equal((null, bobs.SessionId), (left.ChannelId, left.SessionId));
        var ended = await bob.NextAsync<VoiceSessionEnded>("VoiceSessionEnded");
        Assert.Equal((bobs.SessionId, lounge.Id, VoiceEndReasons.MediaLeft), (ended.SessionId, ended.ChannelId, ended.Reason));

        // Bob joins again; LiveKit retries the event: it is the same event, and ends nothing.
        var again = await bob.InvokeAsync<VoiceJoin>("JoinVoice", lounge.Id, false, false);
        Assert.Equal(again.SessionId, (await VoiceSteps.NextStateOfAsync(alice, bob.UserId)).SessionId);
        Assert.Equal(HttpStatusCode.OK, (await VoiceSteps.PostWebhookAsync(Cluster, finished)).StatusCode);

        // Alice's next voice events, in the server's order, are carol's and bob's own changes: neither left.
        await carol.InvokeAsync<VoiceState>("UpdateVoiceState", true, false, false, false);
        var carols = await VoiceSteps.NextStateOfAsync(alice, carol.UserId);
        Assert.Equal((stage.Id, true), (carols.ChannelId, carols.SelfMute));
        await bob.InvokeAsync<VoiceState>("UpdateVoiceState", true, false, false, false);
        var bobsNow = await VoiceSteps.NextStateOfAsync(alice, bob.UserId);
        Assert.Equal((lounge.Id, again.SessionId, true), (bobsNow.ChannelId, bobsNow.SessionId, bobsNow.SelfMute));
        Assert.True(bob.HasNo("VoiceSessionEnded"));
    }

    [Fact]
    public async Task Joining_from_a_second_device_takes_the_session_over_and_the_first_device_hears_it_moved()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bobsDesktop = await Cluster.ConnectAsync(0, TestUsers.New("bob"));
        await using var bobsPhone = await Cluster.ConnectAsync(1, bobsDesktop.UserId);
        await bobsPhone.NextAsync<ReadyEvent>("Ready");
        var guildId = await ServerOfAliceAsync(alice, bobsDesktop, bobsPhone);
        var lounge = await VoiceSteps.CreateVoiceChannelAsync(alice, guildId, "Lounge", bobsDesktop, bobsPhone);

        var first = await bobsDesktop.InvokeAsync<VoiceJoin>("JoinVoice", lounge.Id, false, false);
        Assert.Equal(first.SessionId, (await VoiceSteps.NextStateOfAsync(alice, bobsDesktop.UserId)).SessionId);
        var second = await bobsPhone.InvokeAsync<VoiceJoin>("JoinVoice", lounge.Id, true, false);

        Assert.NotEqual(first.SessionId, second.SessionId);
        var ended = await bobsDesktop.NextAsync<VoiceSessionEnded>("VoiceSessionEnded");
        Assert.Equal((first.SessionId, lounge.Id, VoiceEndReasons.Moved), (ended.SessionId, ended.ChannelId, ended.Reason));
        // Every device hears it; the phone knows from the session id that it is not its own.
        Assert.Equal(first.SessionId, (await bobsPhone.NextAsync<VoiceSessionEnded>("VoiceSessionEnded")).SessionId);
        var now = await VoiceSteps.NextStateOfAsync(alice, bobsDesktop.UserId);
        Assert.Equal((lounge.Id, second.SessionId, true), (now.ChannelId, now.SessionId, now.SelfMute));

        // The session is the phone's now: its leave ends that one.
        await bobsPhone.InvokeAsync("LeaveVoice");
        var gone = await VoiceSteps.NextStateOfAsync(alice, bobsDesktop.UserId);
        Assert.Equal((null, second.SessionId), (gone.ChannelId, gone.SessionId));
    }

    [Fact]
    public async Task A_device_whose_session_moved_to_another_server_updates_and_leaves_it_where_it_is_now()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bobsDesktop = await Cluster.ConnectAsync(0, TestUsers.New("bob"));
        await using var bobsPhone = await Cluster.ConnectAsync(1, bobsDesktop.UserId);
        await bobsPhone.NextAsync<ReadyEvent>("Ready");
        var firstServer = await ServerOfAliceAsync(alice, bobsDesktop, bobsPhone);
        var secondServer = await ServerOfAliceAsync(alice, bobsDesktop, bobsPhone);
        var lounge = await VoiceSteps.CreateVoiceChannelAsync(alice, firstServer, "Lounge", bobsDesktop, bobsPhone);
        var hall = await VoiceSteps.CreateVoiceChannelAsync(alice, secondServer, "Hall", bobsDesktop, bobsPhone);

        // The desktop joins in the first server; the phone takes the session over into the second.
        var desktops = await bobsDesktop.InvokeAsync<VoiceJoin>("JoinVoice", lounge.Id, false, false);
        Assert.Equal(desktops.SessionId, (await VoiceSteps.NextStateOfAsync(alice, bobsDesktop.UserId)).SessionId);
        var phones = await bobsPhone.InvokeAsync<VoiceJoin>("JoinVoice", hall.Id, false, false);
        Assert.Equal(desktops.SessionId, (await bobsDesktop.NextAsync<VoiceSessionEnded>("VoiceSessionEnded")).SessionId);

        // The desktop's gateway last saw it join in the first server; its session is in the second now.
        var muted = await bobsDesktop.InvokeAsync<VoiceState>("UpdateVoiceState", true, false, false, false);
        Assert.Equal((secondServer, hall.Id, phones.SessionId, true), (muted.GuildId, muted.ChannelId, muted.SessionId, muted.SelfMute));
        await bobsDesktop.InvokeAsync("LeaveVoice");

        // Alice, in both servers, hears bob's states in each server's order (the two servers' apart):
        // the second server's are the phone's join, the desktop's mute, and the desktop's leave.
        var inSecond = new List<VoiceState>();
        while (inSecond.Count < 3)
        {
            var state = await VoiceSteps.NextStateOfAsync(alice, bobsDesktop.UserId);
            if (state.GuildId == secondServer)
            {
                inSecond.Add(state);
            }
        }

        Assert.Equal<(string?, string, bool)>(
            [(hall.Id, phones.SessionId, false), (hall.Id, phones.SessionId, true), (null, phones.SessionId, true)],
            inSecond.Select(state => (state.ChannelId, state.SessionId, state.SelfMute)));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.NotInVoice, () => bobsDesktop.InvokeAsync("LeaveVoice"));
    }

    /// <summary>A server of alice's that bob joined from his desktop; his phone read its <c>GuildCreated</c>.</summary>
    private static async Task<string> ServerOfAliceAsync(ChatTestClient alice, ChatTestClient bobsDesktop, ChatTestClient bobsPhone)
    {
        var guildId = await VoiceSteps.CreateServerAsync(alice, bobsDesktop);
        await bobsPhone.NextAsync<GuildState>("GuildCreated");
        return guildId;
    }

    [Fact]
    public async Task The_voice_state_of_a_user_whose_only_connection_was_on_a_killed_gateway_goes_within_the_grace_period()
    {
        var settings = new Dictionary<string, string>(ShortTimingsClusterFixture.Settings);
        foreach (var (key, value) in VoiceProcessClusterFixture.Settings)
        {
            settings[key] = value;
        }

        await using var cluster = await ProcessCluster.StartAsync(servers, silos: 1, gateways: 2, settings: settings);
        await using var alice = await cluster.ConnectAsync(1, TestUsers.New("alice"));
        var bob = await cluster.ConnectAsync(0, TestUsers.New("bob"));
        var guildId = await VoiceSteps.CreateServerAsync(alice, bob);
        var lounge = await VoiceSteps.CreateVoiceChannelAsync(alice, guildId, "Lounge", bob);
        var joined = await bob.InvokeAsync<VoiceJoin>("JoinVoice", lounge.Id, false, false);
        Assert.Equal(joined.SessionId, (await VoiceSteps.NextStateOfAsync(alice, bob.UserId)).SessionId);

        var phoneToken = await cluster.TokenAsync(alice.UserId); // the dev tokens come from the gateway about to go
        await cluster.Gateways[0].KillAsync();

        // Lease 3 s after the gateway's last heartbeat (checked each second), then the 1 s grace.
        var gone = await alice.NextAsync<VoiceState>("VoiceStateUpdated", TimeSpan.FromSeconds(20));
        Assert.Equal((bob.UserId, null, joined.SessionId), (gone.UserId, gone.ChannelId, gone.SessionId));
        await bob.DisposeAsync();
        // A new connection reads no one in voice either.
        await using var alicesPhone = await ChatTestClient.ConnectAsync(cluster.Gateways[1].Url, phoneToken, alice.UserId);
        Assert.Empty(Assert.Single((await alicesPhone.NextAsync<ReadyEvent>("Ready")).Guilds!).VoiceStates!);
    }
}
