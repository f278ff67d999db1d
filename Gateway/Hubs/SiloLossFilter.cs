using Cryb.Gateway.Hosting;
using Microsoft.AspNetCore.SignalR;

namespace Cryb.Gateway.Hubs;

/// <summary>
/// Answers a hub call <c>unavailable</c> at once when a silo leaves the cluster while it is in
/// flight, instead of after the 30 s grain call timeout. A call already on its way to a silo that
/// died or froze is never answered, and a connection runs its calls one at a time, so one send to a
/// frozen silo held every later call of its connection for 30 s: "every channel sends again" took
/// 31 s after a SIGSTOP. The call's outcome is unknown, as after any timeout: a send retried with
/// its nonce is stored once. Calls to healthy silos caught in the same moment are answered the
/// same way; a silo loss is rare, and a retry costs them little.
/// </summary>
public sealed class SiloLossFilter(ClusterConnectionChanges changes) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var loss = changes.NextLoss;
        var call = next(context);
        if (call.IsCompleted)
        {
            return await call;
        }

        try
        {
            return await call.AsTask().WaitAsync(loss);
        }
        catch (OperationCanceledException) when (loss.IsCancellationRequested)
        {
            throw ClusterConnectionChanges.InFlightAtLoss();
        }
    }
}
