using Cryb.Errors;
using Cryb.Presence;
using Orleans.Concurrency;

namespace Cryb.Grains.Notifications.Push;

/// <summary>A stateless worker: the worker's silo answers, with as many activations as batches in flight.</summary>
[StatelessWorker]
public sealed class PushPresenceGrain(SiloLocalToken token) : Grain, IPushPresenceGrain
{
    public async Task<Dictionary<string, DateTimeOffset?>> AwaySince(byte[] siloToken, string[] userIds)
    {
        if (!token.Verifies(siloToken))
        {
            throw new ChatException(ErrorCodes.Forbidden, "This method is internal to the silo.");
        }

        var lookups = userIds.Select(async userId => (userId, away: await GrainFactory.GetGrain<IPresenceGrain>(userId).AwaySince())).ToArray();
        return (await Task.WhenAll(lookups)).ToDictionary(pair => pair.userId, pair => pair.away, StringComparer.Ordinal);
    }
}
