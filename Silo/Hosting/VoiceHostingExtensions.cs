using Cryb.Grains.Voice;
using Cryb.Hosting.LiveKit;
using Cryb.Silo.Voice;

namespace Cryb.Silo.Hosting;

/// <summary>What the voice grains need on a silo: their store and the media server (LiveKit).</summary>
public static class VoiceHostingExtensions
{
    /// <summary>
    /// A RoomService call is a moderation side effect on a session already ended here: a LiveKit
    /// server that does not answer within this is logged and left, not waited on.
    /// </summary>
    private static readonly TimeSpan RoomServiceTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The voice store, and LiveKit from <c>Voice:LiveKit</c> (all three settings or none; half a
    /// configuration stops the silo at start with the setting's name).
    /// </summary>
    public static IServiceCollection AddCrybVoice(this IServiceCollection services)
    {
        services.AddSingleton<PostgresVoiceStore>();
        services.AddSingleton<IVoiceStore, ResilientVoiceStore>();
        services.AddOptions<LiveKitOptions>().BindConfiguration(LiveKitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<LiveKitTokens>();
        // One client for the silo's life; connections are recycled so a LiveKit behind DNS that moves is found again.
        services.AddSingleton(provider => new LiveKitRooms(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = RoomServiceTimeout },
            provider.GetRequiredService<LiveKitTokens>(),
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<LiveKitOptions>>()));
        services.AddSingleton<IVoiceMedia, LiveKitVoiceMedia>();
        return services;
    }
}
