using System.Text.Json;
using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Tests.Infrastructure;
using Cryb.Voice;

namespace Cryb.Tests.Integration;

/// <summary>
/// <c>SetMemberVoice</c> over the real SignalR protocol: a moderator's mute, deafen, move and
/// disconnect as the member, the other members and LiveKit see them, and each refused to a member
/// without its permission. LiveKit is a STAND-IN for its RoomService (<see cref="Voice.LiveKitStandIn"/>):
/// it proves the silo's calls reach it in LiveKit's form, not what a live LiveKit does with them.
/// </summary>
[Collection(VoiceProcessClusterCollection.Name)]
public sealed class VoiceModerationProtocolTests(VoiceProcessClusterFixture fixture)
{
    private ProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Mute_deafen_move_and_disconnect_reach_the_member_the_others_and_livekit_and_each_needs_its_permission()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await Cluster.ConnectAsync(1, TestUsers.New("bob"));
        await using var carol = await Cluster.ConnectAsync(1, TestUsers.New("carol"));
        var guildId = await VoiceSteps.CreateServerAsync(alice, bob, carol);
        var lounge = await VoiceSteps.CreateVoiceChannelAsync(alice, guildId, "Lounge", bob, carol);
        var stage = await VoiceSteps.CreateVoiceChannelAsync(alice, guildId, "Stage", bob, carol);
        var joined = await bob.InvokeAsync<VoiceJoin>("JoinVoice", lounge.Id, false, false);
        foreach (var member in new[] { alice, bob, carol })
        {
            Assert.Equal(lounge.Id, (await VoiceSteps.NextStateOfAsync(member, bob.UserId)).ChannelId);
        }

        // Carol has @everyone's permissions: none of the four.
        Task<VoiceState> SetBy(ChatTestClient caller, bool? mute = null, bool? deaf = null, string? moveTo = null, bool disconnect = false) =>
            caller.InvokeAsync<VoiceState>("SetMemberVoice", guildId, bob.UserId, mute, deaf, moveTo, disconnect);
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Forbidden, () => SetBy(carol, mute: true));
        // With mute members only, she may mute and nothing else.
        var muter = await alice.InvokeAsync<GuildRole>("CreateRole", guildId, new RoleSpec("muter", Permission.MuteMembers));
        await alice.InvokeAsync<GuildMember>("AddMemberRole", guildId, carol.UserId, muter.Id);
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Forbidden, () => SetBy(carol, deaf: true));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Forbidden, () => SetBy(carol, moveTo: stage.Id));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Forbidden, () => SetBy(carol, disconnect: true));

        // Mute: everyone who views the channel sees it; bob's device gets a token that cannot
        // publish, and LiveKit is told to take publishing away from the participant already there.
        var muted = await SetBy(carol, mute: true);
        Assert.Equal((lounge.Id, true, false), (muted.ChannelId, muted.Mute, muted.Deaf));
        foreach (var member in new[] { alice, bob, carol })
        {
            Assert.Equal(muted, await VoiceSteps.NextStateOfAsync(member, bob.UserId));
        }

        var mutedUpdate = await bob.NextAsync<VoiceServerUpdate>("VoiceServerUpdate");
        Assert.Equal((joined.SessionId, lounge.Id), (mutedUpdate.SessionId, mutedUpdate.ChannelId));
        Assert.False(VoiceSteps.VideoGrantOf(mutedUpdate.Token).GetProperty("canPublish").GetBoolean());
        var unpublish = await fixture.StandIn.WaitForCallAsync("UpdateParticipant", IsFor(bob.UserId, guildId, lounge.Id), "bob's mute");
        Assert.False(unpublish.GetProperty("permission").TryGetProperty("canPublish", out _)); // protobuf JSON leaves false out
        Assert.True(unpublish.GetProperty("permission").GetProperty("canSubscribe").GetBoolean());

        // Deafen: the same, and subscribing is taken away.
        var deafened = await SetBy(alice, deaf: true);
        Assert.Equal((true, true), (deafened.Mute, deafened.Deaf));
        Assert.Equal(deafened, await VoiceSteps.NextStateOfAsync(alice, bob.UserId));
        Assert.Equal(deafened, await VoiceSteps.NextStateOfAsync(carol, bob.UserId));
        Assert.Equal(deafened, await VoiceSteps.NextStateOfAsync(bob, bob.UserId));
        Assert.False(VoiceSteps.VideoGrantOf((await bob.NextAsync<VoiceServerUpdate>("VoiceServerUpdate")).Token).GetProperty("canSubscribe").GetBoolean());
        await fixture.StandIn.WaitForCallAsync("UpdateParticipant",
            call => IsFor(bob.UserId, guildId, lounge.Id)(call) && !call.GetProperty("permission").TryGetProperty("canSubscribe", out _), "bob's deafen");

        // Move: the session stays, bob's device gets a token for the new room, the others see the
        // channel change, and LiveKit drops him from the old room.
        var moved = await SetBy(alice, moveTo: stage.Id);
        Assert.Equal((stage.Id, joined.SessionId, true, true), (moved.ChannelId, moved.SessionId, moved.Mute, moved.Deaf));
        Assert.Equal(stage.Id, (await VoiceSteps.NextStateOfAsync(alice, bob.UserId)).ChannelId);
        Assert.Equal(stage.Id, (await VoiceSteps.NextStateOfAsync(carol, bob.UserId)).ChannelId);
        Assert.Equal(stage.Id, (await VoiceSteps.NextStateOfAsync(bob, bob.UserId)).ChannelId);
        var movedUpdate = await bob.NextAsync<VoiceServerUpdate>("VoiceServerUpdate");
        Assert.Equal((stage.Id, joined.SessionId, fixture.StandIn.Url), (movedUpdate.ChannelId, movedUpdate.SessionId, movedUpdate.Endpoint));
        Assert.Equal(VoiceLimits.RoomOf(guildId, stage.Id), VoiceSteps.VideoGrantOf(movedUpdate.Token).GetProperty("room").GetString());
        await fixture.StandIn.WaitForCallAsync("RemoveParticipant", IsFor(bob.UserId, guildId, lounge.Id), "bob leaving the lounge's room");

        // Disconnect: bob's device hears why, the others see him leave, LiveKit drops him.
        var disconnected = await SetBy(alice, disconnect: true);
        Assert.Null(disconnected.ChannelId);
        var ended = await bob.NextAsync<VoiceSessionEnded>("VoiceSessionEnded");
        Assert.Equal((joined.SessionId, stage.Id, VoiceEndReasons.Moderator), (ended.SessionId, ended.ChannelId, ended.Reason));
        Assert.Null((await VoiceSteps.NextStateOfAsync(alice, bob.UserId)).ChannelId);
        Assert.Null((await VoiceSteps.NextStateOfAsync(carol, bob.UserId)).ChannelId);
        await fixture.StandIn.WaitForCallAsync("RemoveParticipant", IsFor(bob.UserId, guildId, stage.Id), "bob leaving the stage's room");
        await Refusals.AssertHubRefusesAsync(ErrorCodes.NotInVoice, () => SetBy(alice, mute: false));
    }

    private static Func<JsonElement, bool> IsFor(string userId, string guildId, string channelId) =>
        call => call.GetProperty("identity").GetString() == userId && call.GetProperty("room").GetString() == VoiceLimits.RoomOf(guildId, channelId);
}
