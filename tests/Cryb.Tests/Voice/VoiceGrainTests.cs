using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Hosting.LiveKit;
using Cryb.Tests.Infrastructure;
using Cryb.Voice;

namespace Cryb.Tests.Voice;

/// <summary>
/// The voice grain on a cluster with real PostgreSQL and LiveKit configured: joins, the permissions
/// that decide them and their tokens, the user limit, one session per user across devices and
/// servers, moves and leaves, each seen on the server's stream as members' gateways see it.
/// </summary>
[Collection(VoiceClusterCollection.Name)]
public sealed class VoiceGrainTests(VoiceClusterFixture fixture)
{
    private readonly VoiceTestKit _kit = new(fixture);

    [Fact]
    public async Task A_join_is_published_to_the_server_stored_and_answered_with_a_token_for_the_channels_room()
    {
        var (owner, ann) = (_kit.Guilds.User("owner"), _kit.Guilds.User("ann"));
        var (guild, _) = await _kit.Guilds.GuildWithAsync(owner, ann);
        var channel = await _kit.VoiceChannelAsync(guild, owner);
        var connection = await _kit.ConnectAsync(ann);
        await using var events = await _kit.Guilds.SubscribeAsync(guild);

        var joined = await _kit.Voice(guild).Join(ann, connection, channel.Id, selfMute: true, selfDeaf: false);

        var published = await events.NextAsync<VoiceStateUpdated>("ann's voice state");
        Assert.Equal(joined.State, published.State);
        Assert.Null(published.FromChannelId);
        Assert.Equal((guild.GetPrimaryKeyString(), channel.Id, ann.Id, joined.SessionId, true, false, false),
            (published.State.GuildId, published.State.ChannelId, published.State.UserId, published.State.SessionId, published.State.SelfMute, published.State.Mute, published.State.Suppress));
        Assert.Equal(VoiceClusterFixture.Url, joined.Endpoint);
        Assert.Equal([joined.State], await _kit.Voice(guild).StatesAsync());
        Assert.Equal(1, await _kit.Guilds.CountRowsAsync("voice_states", guild.GetPrimaryKeyString()));
        Assert.Equal(joined.SessionId, (await _kit.Presence(ann).GetVoice(ann))?.SessionId);

        var claims = await _kit.ClaimsAsync(joined.Token);
        Assert.Equal(ann.Id, claims.GetProperty("sub").GetString());
        Assert.Equal($"{{\"sessionId\":\"{joined.SessionId}\"}}", claims.GetProperty("metadata").GetString());
        Assert.Equal(600, claims.GetProperty("exp").GetInt64() - claims.GetProperty("nbf").GetInt64());
        var video = claims.GetProperty("video");
        Assert.Equal(VoiceLimits.RoomOf(guild.GetPrimaryKeyString(), channel.Id), video.GetProperty("room").GetString());
        Assert.True(video.GetProperty("roomJoin").GetBoolean());
        Assert.True(video.GetProperty("canPublish").GetBoolean());
        Assert.True(video.GetProperty("canSubscribe").GetBoolean());
        Assert.False(video.GetProperty("canPublishData").GetBoolean());
        // @everyone may stream by default: camera and screen besides the microphone.
        Assert.Equal([TrackSources.Microphone, TrackSources.Camera, TrackSources.ScreenShare, TrackSources.ScreenShareAudio], Sources(video));
    }

    [Fact]
    public async Task Without_speak_the_token_cannot_publish_and_without_stream_only_the_microphone_and_no_camera()
    {
        var (owner, ann) = (_kit.Guilds.User("owner"), _kit.Guilds.User("ann"));
        var (guild, _) = await _kit.Guilds.GuildWithAsync(owner, ann);
        var silent = await _kit.VoiceChannelAsync(guild, owner, 0, VoiceTestKit.EveryoneDenies(guild, Permission.Speak));
        var noVideo = await _kit.VoiceChannelAsync(guild, owner, 0, VoiceTestKit.EveryoneDenies(guild, Permission.Stream));
        var connection = await _kit.ConnectAsync(ann);
        var voice = _kit.Voice(guild);

        var inSilent = await voice.Join(ann, connection, silent.Id, false, false);
        Assert.True(inSilent.State.Suppress);
        Assert.False((await _kit.ClaimsAsync(inSilent.Token)).GetProperty("video").GetProperty("canPublish").GetBoolean());

        var inNoVideo = await voice.Join(ann, connection, noVideo.Id, false, false);
        Assert.False(inNoVideo.State.Suppress);
        var video = (await _kit.ClaimsAsync(inNoVideo.Token)).GetProperty("video");
        Assert.True(video.GetProperty("canPublish").GetBoolean());
        Assert.Equal([TrackSources.Microphone], Sources(video));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => voice.UpdateSelf(ann, false, false, selfVideo: true, selfStream: false));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => voice.UpdateSelf(ann, false, false, selfVideo: false, selfStream: true));
        var muted = await voice.UpdateSelf(ann, selfMute: true, selfDeaf: true, false, false);
        Assert.Equal((true, true, false), (muted.SelfMute, muted.SelfDeaf, muted.SelfVideo));
        Assert.Equal([muted], await voice.StatesAsync());
    }

    [Fact]
    public async Task A_join_needs_connect_in_a_voice_channel_the_user_can_view_of_a_server_they_are_in()
    {
        var (owner, ann, outsider) = (_kit.Guilds.User("owner"), _kit.Guilds.User("ann"), _kit.Guilds.User("outsider"));
        var (guild, created) = await _kit.Guilds.GuildWithAsync(owner, ann);
        var noConnect = await _kit.VoiceChannelAsync(guild, owner, 0, VoiceTestKit.EveryoneDenies(guild, Permission.Connect));
        var hidden = await _kit.VoiceChannelAsync(guild, owner, 0, VoiceTestKit.EveryoneDenies(guild, Permission.ViewChannel));
        var open = await _kit.VoiceChannelAsync(guild, owner);
        var voice = _kit.Voice(guild);
        var connection = await _kit.ConnectAsync(ann);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => voice.Join(ann, connection, noConnect.Id, false, false));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => voice.Join(ann, connection, hidden.Id, false, false));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => voice.Join(ann, connection, "no-such-channel", false, false));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidArgument, () => voice.Join(ann, connection, created.Channels[0].Id, false, false));
        var outsiderConnection = await _kit.ConnectAsync(outsider);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.GuildNotFound, () => voice.Join(outsider, outsiderConnection, open.Id, false, false));
        // A connection that is not one of the user's open ones does not hold voice.
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidArgument, () => voice.Join(ann, "not-connected", open.Id, false, false));
        Assert.Empty(await voice.StatesAsync());
        // The owner passes every check, the hidden channel's included.
        await voice.Join(owner, await _kit.ConnectAsync(owner), hidden.Id, false, false);
    }

    [Fact]
    public async Task A_full_channel_refuses_joins_except_from_members_who_may_move_members_and_those_already_in_it()
    {
        var (owner, ann, bob) = (_kit.Guilds.User("owner"), _kit.Guilds.User("ann"), _kit.Guilds.User("bob"));
        var (guild, _) = await _kit.Guilds.GuildWithAsync(owner, ann, bob);
        var channel = await _kit.VoiceChannelAsync(guild, owner, userLimit: 1);
        var voice = _kit.Voice(guild);
        var annConnection = await _kit.ConnectAsync(ann);
        await voice.Join(ann, annConnection, channel.Id, false, false);

        var bobConnection = await _kit.ConnectAsync(bob);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.VoiceChannelFull, () => voice.Join(bob, bobConnection, channel.Id, false, false));
        var again = await voice.Join(ann, annConnection, channel.Id, selfMute: true, false);
        Assert.True(again.State.SelfMute);
        await voice.Join(owner, await _kit.ConnectAsync(owner), channel.Id, false, false);

        Assert.Equal(2, (await voice.StatesAsync()).Count(state => state.ChannelId == channel.Id));
    }

    [Fact]
    public async Task A_second_device_takes_the_session_over_and_the_first_is_told_it_moved()
    {
        var (owner, ann) = (_kit.Guilds.User("owner"), _kit.Guilds.User("ann"));
        var (guild, _) = await _kit.Guilds.GuildWithAsync(owner, ann);
        var channel = await _kit.VoiceChannelAsync(guild, owner);
        var voice = _kit.Voice(guild);
        var (desktop, phone) = (await _kit.ConnectAsync(ann, "desktop"), await _kit.ConnectAsync(ann, "phone"));
        var first = await voice.Join(ann, desktop, channel.Id, false, false);
        await using var annEvents = await _kit.UserStreamAsync(ann);

        var second = await voice.Join(ann, phone, channel.Id, false, false);

        Assert.NotEqual(first.SessionId, second.SessionId);
        var ended = await annEvents.NextAsync<VoiceSessionEnded>("the desktop's session ending");
        Assert.Equal((first.SessionId, VoiceEndReasons.Moved), (ended.SessionId, ended.Reason));
        Assert.Equal(second.SessionId, Assert.Single(await voice.StatesAsync()).SessionId);
        Assert.Equal(phone, (await _kit.Presence(ann).GetVoice(ann))?.ConnectionId);
    }

    [Fact]
    public async Task Joining_another_channel_moves_the_session_and_another_servers_channel_ends_it_in_the_first()
    {
        var (owner, ann) = (_kit.Guilds.User("owner"), _kit.Guilds.User("ann"));
        var (guild, _) = await _kit.Guilds.GuildWithAsync(owner, ann);
        var (other, _) = await _kit.Guilds.GuildWithAsync(owner, ann);
        var (first, second, elsewhere) = (await _kit.VoiceChannelAsync(guild, owner), await _kit.VoiceChannelAsync(guild, owner), await _kit.VoiceChannelAsync(other, owner));
        var connection = await _kit.ConnectAsync(ann);
        await using var events = await _kit.Guilds.SubscribeAsync(guild);
        await using var annEvents = await _kit.UserStreamAsync(ann);
        var joined = await _kit.Voice(guild).Join(ann, connection, first.Id, false, false);
        await events.NextAsync<VoiceStateUpdated>("the join");

        var moved = await _kit.Voice(guild).Join(ann, connection, second.Id, false, false);

        Assert.Equal(joined.SessionId, moved.SessionId);
        var move = await events.NextAsync<VoiceStateUpdated>("the move");
        Assert.Equal((second.Id, first.Id), (move.State.ChannelId, move.FromChannelId));

        var away = await _kit.Voice(other).Join(ann, connection, elsewhere.Id, false, false);

        var left = await events.NextAsync<VoiceStateUpdated>("the first server's state ending");
        Assert.Equal((null, second.Id, ann.Id), (left.State.ChannelId, left.FromChannelId, left.State.UserId));
        Assert.Equal(VoiceEndReasons.Moved, (await annEvents.NextAsync<VoiceSessionEnded>("the first session ending")).Reason);
        Assert.Empty(await _kit.Voice(guild).StatesAsync());
        Assert.Equal(away.State, Assert.Single(await _kit.Voice(other).StatesAsync()));
        Assert.Equal(0, await _kit.Guilds.CountRowsAsync("voice_states", guild.GetPrimaryKeyString()));
    }

    [Fact]
    public async Task Leaving_ends_the_session_for_everyone_and_then_there_is_nothing_to_leave_or_update()
    {
        var (owner, ann) = (_kit.Guilds.User("owner"), _kit.Guilds.User("ann"));
        var (guild, _) = await _kit.Guilds.GuildWithAsync(owner, ann);
        var channel = await _kit.VoiceChannelAsync(guild, owner);
        var voice = _kit.Voice(guild);
        var joined = await voice.Join(ann, await _kit.ConnectAsync(ann), channel.Id, false, false);
        await using var events = await _kit.Guilds.SubscribeAsync(guild);

        await voice.Leave(ann);

        var left = await events.NextAsync<VoiceStateUpdated>("ann leaving");
        Assert.Equal((null, channel.Id, joined.SessionId), (left.State.ChannelId, left.FromChannelId, left.State.SessionId));
        Assert.True(left.Version > joined.State.Version);
        Assert.Empty(await voice.StatesAsync());
        Assert.Equal(0, await _kit.Guilds.CountRowsAsync("voice_states", guild.GetPrimaryKeyString()));
        // The presence grain is told after the answer, not awaited by it.
        await Eventually.WaitUntilAsync(async () => await _kit.Presence(ann).GetVoice(ann) is null, "the presence grain dropping the voice binding");
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.NotInVoice, () => voice.Leave(ann));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.NotInVoice, () => voice.UpdateSelf(ann, true, false, false, false));
    }

    [Fact]
    public async Task A_session_is_suppressed_without_speak_and_ends_when_its_user_is_kicked_loses_connect_there_or_the_channel_is_deleted()
    {
        var (owner, ann, bob, cy) = (_kit.Guilds.User("owner"), _kit.Guilds.User("ann"), _kit.Guilds.User("bob"), _kit.Guilds.User("cy"));
        var (guild, _) = await _kit.Guilds.GuildWithAsync(owner, ann, bob, cy);
        var (lounge, other) = (await _kit.VoiceChannelAsync(guild, owner), await _kit.VoiceChannelAsync(guild, owner));
        var voice = _kit.Voice(guild);
        await voice.Join(ann, await _kit.ConnectAsync(ann), lounge.Id, false, false);
        await voice.Join(bob, await _kit.ConnectAsync(bob), lounge.Id, false, false);
        await voice.Join(cy, await _kit.ConnectAsync(cy), other.Id, false, false);
        await using var annEvents = await _kit.UserStreamAsync(ann);
        await using var bobEvents = await _kit.UserStreamAsync(bob);
        await using var cyEvents = await _kit.UserStreamAsync(cy);

        await using var events = await _kit.Guilds.SubscribeAsync(guild);
        await guild.UpdateChannel(owner, other.Id, new GuildChannelSpec(Overwrites: [VoiceTestKit.EveryoneDenies(guild, Permission.Speak)]));
        var suppressed = await events.NextAsync<VoiceStateUpdated>("cy suppressed without speak");
        Assert.Equal((cy.Id, other.Id, true), (suppressed.State.UserId, suppressed.State.ChannelId, suppressed.State.Suppress));
        var silentToken = await cyEvents.NextAsync<VoiceServerUpdate>("cy's token without speak");
        Assert.False((await _kit.ClaimsAsync(silentToken.Token)).GetProperty("video").GetProperty("canPublish").GetBoolean());

        await guild.Kick(owner, ann.Id);
        Assert.Equal(VoiceEndReasons.Permission, (await annEvents.NextAsync<VoiceSessionEnded>("ann's session ending with her kick")).Reason);

        await guild.UpdateChannel(owner, lounge.Id, new GuildChannelSpec(Overwrites: [new PermissionOverwrite(bob.Id, OverwriteKind.Member, 0, Permission.Connect)]));
        Assert.Equal(VoiceEndReasons.Permission, (await bobEvents.NextAsync<VoiceSessionEnded>("bob's session ending without connect")).Reason);

        await guild.DeleteChannel(owner, other.Id);
        Assert.Equal(VoiceEndReasons.ChannelDeleted, (await cyEvents.NextAsync<VoiceSessionEnded>("cy's session ending with its channel")).Reason);
        Assert.Empty(await voice.StatesAsync());
    }

    [Fact]
    public async Task Moderators_mute_deafen_move_and_disconnect_a_member_each_with_its_permission_and_the_member_gets_tokens_that_say_so()
    {
        var (owner, ann, bob) = (_kit.Guilds.User("owner"), _kit.Guilds.User("ann"), _kit.Guilds.User("bob"));
        var (guild, _) = await _kit.Guilds.GuildWithAsync(owner, ann, bob);
        var lounge = await _kit.VoiceChannelAsync(guild, owner);
        var other = await _kit.VoiceChannelAsync(guild, owner);
        var closed = await _kit.VoiceChannelAsync(guild, owner, 0, new PermissionOverwrite(ann.Id, OverwriteKind.Member, 0, Permission.Connect));
        var voice = _kit.Voice(guild);
        var joined = await voice.Join(ann, await _kit.ConnectAsync(ann), lounge.Id, false, false);
        await using var annEvents = await _kit.UserStreamAsync(ann);
        await using var events = await _kit.Guilds.SubscribeAsync(guild);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => voice.Moderate(bob, ann.Id, mute: true, null, null, false));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => voice.Moderate(bob, ann.Id, null, deaf: true, null, false));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => voice.Moderate(bob, ann.Id, null, null, other.Id, false));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => voice.Moderate(bob, ann.Id, null, null, null, disconnect: true));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.NotInVoice, () => voice.Moderate(owner, bob.Id, true, null, null, false));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => voice.Moderate(owner, ann.Id, null, null, closed.Id, false));

        var muted = await voice.Moderate(owner, ann.Id, mute: true, deaf: true, null, false);
        Assert.Equal((true, true, lounge.Id, joined.SessionId), (muted.Mute, muted.Deaf, muted.ChannelId, muted.SessionId));
        Assert.Equal(muted, (await events.NextAsync<VoiceStateUpdated>("the server mute")).State);
        var retoken = await annEvents.NextAsync<VoiceServerUpdate>("ann's token after the mute");
        var video = (await _kit.ClaimsAsync(retoken.Token)).GetProperty("video");
        Assert.Equal((false, false), (video.GetProperty("canPublish").GetBoolean(), video.GetProperty("canSubscribe").GetBoolean()));

        var moved = await voice.Moderate(owner, ann.Id, null, null, other.Id, false);
        Assert.Equal((other.Id, joined.SessionId, true), (moved.ChannelId, moved.SessionId, moved.Mute));
        Assert.Equal(lounge.Id, (await events.NextAsync<VoiceStateUpdated>("the move")).FromChannelId);
        var moveToken = await annEvents.NextAsync<VoiceServerUpdate>("ann's token after the move");
        Assert.Equal(VoiceLimits.RoomOf(guild.GetPrimaryKeyString(), other.Id), (await _kit.ClaimsAsync(moveToken.Token)).GetProperty("video").GetProperty("room").GetString());

        await voice.Moderate(owner, ann.Id, null, null, null, disconnect: true);
        Assert.Equal(VoiceEndReasons.Moderator, (await annEvents.NextAsync<VoiceSessionEnded>("ann disconnected")).Reason);
        Assert.Empty(await voice.StatesAsync());
    }

    private static string?[] Sources(System.Text.Json.JsonElement video) =>
        video.GetProperty("canPublishSources").EnumerateArray().Select(source => source.GetString()).ToArray();
}
