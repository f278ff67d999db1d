using Cryb.Hosting.LiveKit;
using Microsoft.Extensions.Options;

namespace Cryb.Tests.Voice;

/// <summary>
/// The RoomService calls voice moderation makes, against a STAND-IN for LiveKit (see
/// <see cref="LiveKitStandIn"/>) that checks their tokens and bodies with LiveKit's own code. What
/// a live LiveKit server does with them (unpublishing, disconnecting) is not verified here.
/// </summary>
public sealed class LiveKitRoomsTests
{
    private const string ApiKey = "APIcrybRooms";
    private static readonly string ApiSecret = "rooms-secret-" + new string('y', 40);

    [Fact]
    public async Task Each_call_reaches_the_room_service_in_a_form_livekit_parses_with_a_room_admin_token()
    {
        await using var standIn = await LiveKitStandIn.StartAsync(ApiKey, ApiSecret);
        var rooms = Rooms(standIn.Url, ApiSecret);

        await rooms.RemoveParticipantAsync("g1:c2", "user-1", TestContext.Current.CancellationToken);
        await rooms.MutePublishedTrackAsync("g1:c2", "user-2", "TR_abc", muted: true, TestContext.Current.CancellationToken);
        await rooms.UpdatePermissionAsync("g1:c2", "user-3", new ParticipantPermission(CanSubscribe: false, CanPublish: true, CanPublishData: false, [TrackSources.Microphone, TrackSources.ScreenShare]), TestContext.Current.CancellationToken);

        var calls = await standIn.CallsAsync();
        Assert.Equal(["RemoveParticipant", "MutePublishedTrack", "UpdateParticipant"], calls.Select(call => call.Method));
        Assert.Equal("user-1", calls[0].Request.GetProperty("identity").GetString());
        Assert.Equal("TR_abc", calls[1].Request.GetProperty("trackSid").GetString());
        Assert.True(calls[1].Request.GetProperty("muted").GetBoolean());
        var permission = calls[2].Request.GetProperty("permission");
        Assert.True(permission.GetProperty("canPublish").GetBoolean());
        Assert.False(permission.TryGetProperty("canSubscribe", out _)); // protobuf JSON leaves false out
        Assert.Equal(["MICROPHONE", "SCREEN_SHARE"], permission.GetProperty("canPublishSources").EnumerateArray().Select(source => source.GetString()));
    }

    [Fact]
    public async Task A_refusing_or_unreachable_livekit_is_a_clear_failure_and_a_wrong_secret_is_refused()
    {
        await using var standIn = await LiveKitStandIn.StartAsync(ApiKey, ApiSecret);

        await standIn.FailNextAsync();
        var unavailable = await Assert.ThrowsAsync<LiveKitCallException>(() => Rooms(standIn.Url, ApiSecret).RemoveParticipantAsync("r", "u", TestContext.Current.CancellationToken));
        Assert.Contains("503", unavailable.Message);
        var wrongSecret = await Assert.ThrowsAsync<LiveKitCallException>(() => Rooms(standIn.Url, "another-" + ApiSecret).RemoveParticipantAsync("r", "u", TestContext.Current.CancellationToken));
        Assert.Contains("401", wrongSecret.Message);
        Assert.Empty(await standIn.CallsAsync());
        var unreachable = await Assert.ThrowsAsync<LiveKitCallException>(() => Rooms("ws://127.0.0.1:1", ApiSecret).RemoveParticipantAsync("r", "u", TestContext.Current.CancellationToken));
        Assert.Equal("RemoveParticipant", unreachable.Method);
    }

    private static LiveKitRooms Rooms(string url, string secret)
    {
        var options = Options.Create(new LiveKitOptions { Url = url, ApiKey = ApiKey, ApiSecret = secret });
        return new LiveKitRooms(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, new LiveKitTokens(options, TimeProvider.System), options);
    }
}
