using Orleans.Services;

namespace Cryb.Grains.Notifications.Push;

/// <summary>
/// What Orleans registers <see cref="PushOutboxWorker"/> by: a grain service needs an interface of
/// its own. It has no methods: the worker runs on its own, nobody calls it.
/// </summary>
[Alias("cryb.IPushOutboxService")]
public interface IPushOutboxService : IGrainService;
