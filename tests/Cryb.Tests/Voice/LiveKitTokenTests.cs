using System.Text;
using System.Text.Json;
using Cryb.Hosting.LiveKit;
using Cryb.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Cryb.Tests.Voice;

/// <summary>
/// What we sign, judged by LiveKit's own server SDK (<c>livekit-server-sdk</c>'s TokenVerifier, in
/// tests/js/livekit.mjs), and what LiveKit signs (a webhook, signed by that SDK as a LiveKit server
/// does), judged by us. No LiveKit server runs here: these are the parts that can be had for real.
/// </summary>
public sealed class LiveKitTokenTests
{
    private const string ApiKey = "APIcrybTests";
    private static readonly string ApiSecret = "tests-secret-" + new string('x', 40);

    [Fact]
    public async Task A_participant_token_is_accepted_by_livekits_sdk_with_the_grant_we_gave()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var grant = new VideoGrant
        {
            Room = "g123:c456",
            RoomJoin = true,
            CanPublish = true,
            CanSubscribe = false,
            CanPublishData = false,
            CanPublishSources = [TrackSources.Microphone],
        };
        var token = Tokens(time).Sign("user-1", grant, TimeSpan.FromMinutes(10), name: "Ada", metadata: "{\"sessionId\":\"s1\"}");

        var claims = await VerifiedByLiveKitAsync(token);

        Assert.Equal(ApiKey, claims.GetProperty("iss").GetString());
        Assert.Equal("user-1", claims.GetProperty("sub").GetString());
        Assert.Equal("Ada", claims.GetProperty("name").GetString());
        Assert.Equal("{\"sessionId\":\"s1\"}", claims.GetProperty("metadata").GetString());
        Assert.Equal(600, claims.GetProperty("exp").GetInt64() - claims.GetProperty("nbf").GetInt64());
        var video = claims.GetProperty("video");
        Assert.Equal("g123:c456", video.GetProperty("room").GetString());
        Assert.True(video.GetProperty("roomJoin").GetBoolean());
        Assert.True(video.GetProperty("canPublish").GetBoolean());
        Assert.False(video.GetProperty("canSubscribe").GetBoolean());
        Assert.False(video.GetProperty("canPublishData").GetBoolean());
        Assert.Equal(["microphone"], video.GetProperty("canPublishSources").EnumerateArray().Select(source => source.GetString()));
        Assert.False(video.TryGetProperty("roomAdmin", out _)); // unset stays unset: LiveKit's default applies
    }

    [Fact]
    public async Task Livekits_sdk_refuses_a_token_signed_with_another_secret_or_expired()
    {
        var otherSecret = new LiveKitTokens(Options.Create(new LiveKitOptions { Url = "ws://127.0.0.1:7880", ApiKey = ApiKey, ApiSecret = "another-" + ApiSecret }), TimeProvider.System);
        var grant = new VideoGrant { Room = "r", RoomJoin = true };

        await Assert.ThrowsAsync<InvalidOperationException>(() => VerifiedByLiveKitAsync(otherSecret.Sign("user-1", grant, TimeSpan.FromMinutes(10))));
        var anHourAgo = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        await Assert.ThrowsAsync<InvalidOperationException>(() => VerifiedByLiveKitAsync(Tokens(anHourAgo).Sign("user-1", grant, TimeSpan.FromMinutes(10))));
    }

    [Fact]
    public async Task A_webhook_signed_as_livekit_signs_it_is_accepted_and_any_change_to_it_is_refused()
    {
        var body = """{"event":"participant_left","id":"EV_1","createdAt":"1764900000","room":{"name":"g1:c2","sid":"RM_1"},"participant":{"identity":"user-1","sid":"PA_1","metadata":"{\"sessionId\":\"s1\"}"}}""";
        var authorization = await SignedByLiveKitAsync(body);
        var webhooks = new LiveKitWebhooks(Tokens(TimeProvider.System));

        var accepted = await webhooks.VerifyAsync(Encoding.UTF8.GetBytes(body), authorization);

        Assert.Null(accepted.Refusal);
        Assert.Equal(new LiveKitWebhook("participant_left", "EV_1", new LiveKitRoom("g1:c2", "RM_1"), new LiveKitParticipant("user-1", "PA_1", "{\"sessionId\":\"s1\"}"), 1764900000), accepted.Webhook);
        Assert.NotNull((await webhooks.VerifyAsync(Encoding.UTF8.GetBytes(body.Replace("user-1", "user-2")), authorization)).Refusal);
        Assert.NotNull((await webhooks.VerifyAsync(Encoding.UTF8.GetBytes(body), null)).Refusal);
        Assert.NotNull((await webhooks.VerifyAsync(Encoding.UTF8.GetBytes(body), authorization[..^2] + "xx")).Refusal);
        var otherKeyPair = new LiveKitWebhooks(new LiveKitTokens(Options.Create(new LiveKitOptions { Url = "ws://127.0.0.1:7880", ApiKey = ApiKey, ApiSecret = "another-" + ApiSecret }), TimeProvider.System));
        Assert.NotNull((await otherKeyPair.VerifyAsync(Encoding.UTF8.GetBytes(body), authorization)).Refusal);
        var aDayLater = new LiveKitWebhooks(Tokens(new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(1))));
        Assert.NotNull((await aDayLater.VerifyAsync(Encoding.UTF8.GetBytes(body), authorization)).Refusal);
    }

    [Fact]
    public void Settings_are_all_or_nothing_and_the_secret_is_long_enough_for_hs256()
    {
        Assert.Empty(Problems(new LiveKitOptions()));
        Assert.Empty(Problems(new LiveKitOptions { Url = "wss://voice.example.com", ApiKey = ApiKey, ApiSecret = ApiSecret }));
        Assert.Contains(Problems(new LiveKitOptions { Url = "wss://voice.example.com" }), problem => problem.Contains("Voice__LiveKit__ApiKey"));
        Assert.Contains(Problems(new LiveKitOptions { Url = "wss://voice.example.com", ApiKey = ApiKey, ApiSecret = "short" }), problem => problem.Contains("at least 32"));
        Assert.Contains(Problems(new LiveKitOptions { Url = "voice.example.com", ApiKey = ApiKey, ApiSecret = ApiSecret }), problem => problem.Contains("Voice__LiveKit__Url"));
        Assert.Equal(new Uri("https://voice.example.com:7880/"), new LiveKitOptions { Url = "wss://voice.example.com:7880" }.ApiBase());
        Assert.Equal(new Uri("http://127.0.0.1:7880/"), new LiveKitOptions { Url = "ws://127.0.0.1:7880" }.ApiBase());
    }

    private static List<string> Problems(LiveKitOptions options) =>
        options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(result => result.ErrorMessage!).ToList();

    private static LiveKitTokens Tokens(TimeProvider time) =>
        new(Options.Create(new LiveKitOptions { Url = "ws://127.0.0.1:7880", ApiKey = ApiKey, ApiSecret = ApiSecret }), time);

    private static async Task<JsonElement> VerifiedByLiveKitAsync(string token) =>
        JsonDocument.Parse(await LiveKitSdkAsync("verify", token)).RootElement;

    private static async Task<string> SignedByLiveKitAsync(string body)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, body, TestContext.Current.CancellationToken);
            return (await LiveKitSdkAsync("webhook", file)).Trim();
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static Task<string> LiveKitSdkAsync(string command, string argument)
    {
        var scripts = Path.Combine(BuildOutput.RepositoryRoot, "tests", "js");
        Assert.True(Directory.Exists(Path.Combine(scripts, "node_modules", "livekit-server-sdk")),
            "tests/js/node_modules/livekit-server-sdk is missing: `./cryb test` runs `npm ci` there first.");
        return Shell.RunAsync("env", $"LIVEKIT_API_KEY={ApiKey}", $"LIVEKIT_API_SECRET={ApiSecret}", "node", Path.Combine(scripts, "livekit.mjs"), command, argument);
    }
}
