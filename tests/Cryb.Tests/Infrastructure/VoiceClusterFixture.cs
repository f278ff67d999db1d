using Cryb.Hosting.LiveKit;
using Microsoft.Extensions.Options;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// The fake-clock cluster with voice configured: a LiveKit key pair and a URL where nothing listens
/// (port 9, discard), so the grains sign real tokens and their best-effort RoomService calls are
/// refused at once. The tests check the tokens with <see cref="Tokens"/>, the same signer on the same clock.
/// </summary>
public sealed class VoiceClusterFixture(TestServers servers) : FakeClockClusterFixture(servers)
{
    public const string Url = "ws://127.0.0.1:9";
    public const string ApiKey = "APIcrybVoiceTests";
    public static readonly string ApiSecret = "voice-tests-secret-" + new string('v', 32);

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Voice:LiveKit:Url", Url),
        new("Voice:LiveKit:ApiKey", ApiKey),
        new("Voice:LiveKit:ApiSecret", ApiSecret),
    ];

    /// <summary>Our LiveKit signer with the cluster's key pair and clock: what it verifies, LiveKit would (LiveKitTokenTests).</summary>
    public LiveKitTokens Tokens => new(Options.Create(new LiveKitOptions { Url = Url, ApiKey = ApiKey, ApiSecret = ApiSecret }), Clock);
}

[CollectionDefinition(Name)]
public sealed class VoiceClusterCollection : ICollectionFixture<VoiceClusterFixture>
{
    public const string Name = "voice cluster";
}
