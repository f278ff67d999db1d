using Cryb.Grains.Notifications.Push;

namespace Cryb.Silo.Hosting;

/// <summary>What Web Push needs on a silo: its settings, the sender, the outbox and its worker.</summary>
public static class PushHostingExtensions
{
    /// <summary>
    /// Web Push from <c>Push</c> (docs/notifications.md): validated at start, so a malformed VAPID key
    /// stops the silo with the setting's name; without keys the worker logs once and stays idle.
    /// </summary>
    public static IServiceCollection AddCrybPush(this IServiceCollection services)
    {
        services.AddOptions<PushOptions>().BindConfiguration(PushOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PushMetrics>();
        services.AddSingleton<PushSender>();
        services.AddSingleton<PushOutbox>();
        services.AddSingleton<SiloLocalToken>();
        services.AddHostedService<PushOutboxWorker>();
        return services;
    }
}
