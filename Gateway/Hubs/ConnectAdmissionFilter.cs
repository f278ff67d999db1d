using Cryb.Gateway.Hosting;
using Microsoft.AspNetCore.SignalR;

namespace Cryb.Gateway.Hubs;

/// <summary>
/// Ends a connection's count in <see cref="ConnectAdmission"/> once it is set up (its <c>Ready</c>
/// went out) or failed to be, rather than when its request ends, which is when it disconnects.
/// </summary>
public sealed class ConnectAdmissionFilter(ConnectAdmission admission) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        try
        {
            await next(context);
            admission.Ready();
        }
        finally
        {
            context.Context.GetHttpContext()?.Features.Get<ConnectAdmission.Lease>()?.Dispose();
        }
    }
}
