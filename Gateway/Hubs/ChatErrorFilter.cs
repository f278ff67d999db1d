using Cryb.Errors;
using Cryb.Gateway.Hosting;
using Microsoft.AspNetCore.SignalR;

namespace Cryb.Gateway.Hubs;

/// <summary>
/// Turns refusals into <see cref="HubException"/>s whose message starts with the stable error code
/// (<c>"message_too_long: ..."</c>), logs each once, and hides everything else behind
/// <c>unavailable</c> (the cluster did not answer) or <c>internal_error</c> (a defect, logged with
/// its stack and counted as <c>failed</c>). The connection stays open either way.
/// </summary>
public sealed partial class ChatErrorFilter(GatewayMetrics metrics, ILogger<ChatErrorFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            var result = await next(context);
            metrics.Invoked(context.HubMethodName, "ok");
            return result;
        }
        catch (Exception ex)
        {
            var refusal = ToHubException(ex, context.HubMethodName, context.Context.UserIdentifier);
            metrics.Invoked(context.HubMethodName, ex is ChatException or HubException ? "refused" : "failed");
            return ThrowRefusal(refusal);
        }
    }

    private static object? ThrowRefusal(HubException refusal) => throw refusal;

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex)
        {
            // Failing here closes the connection; the client sees the code in the close reason.
            throw ToHubException(ex, "OnConnected", context.Context.UserIdentifier);
        }
    }

    private HubException ToHubException(Exception exception, string method, string? userId)
    {
        switch (exception)
        {
            case HubException hub:
                return hub;
            case ChatException refusal:
                LogRefused(method, userId, refusal.Code, refusal.Message);
                metrics.Refused(refusal.Code);
                return Coded(refusal.Code, refusal.Message);
            case TimeoutException or OrleansException when !WrapsAGrainFailure(exception):
                LogUnavailable(exception, method, userId);
                metrics.Refused(ErrorCodes.Unavailable);
                return Coded(ErrorCodes.Unavailable, "The cluster did not answer in time; retry.");
            default:
                LogFailed(exception, method, userId);
                return Coded(ErrorCodes.Internal, "The server failed to handle the call.");
        }
    }

    /// <summary>
    /// Orleans wraps what a grain's state storage or activation threw in a plain
    /// <see cref="OrleansException"/> (a storage refusal is unwrapped before it gets here). Its own
    /// failures to reach a grain are subclasses (<see cref="SiloUnavailableException"/>,
    /// <see cref="OrleansMessageRejectionException"/>, ...) or wrap nothing: those are outages, a
    /// wrapped exception of another kind is a defect.
    /// </summary>
    private static bool WrapsAGrainFailure(Exception exception) =>
        exception.GetType() == typeof(OrleansException) && exception.InnerException is { } inner && inner is not (OrleansException or TimeoutException);

    /// <summary>The message format clients parse: the code, a colon, a human-readable reason.</summary>
    public static HubException Coded(string code, string message) => new($"{code}: {message}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused {Method} for {UserId}: {Code} ({Reason})")]
    private partial void LogRefused(string method, string? userId, string code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster unavailable during {Method} for {UserId}")]
    private partial void LogUnavailable(Exception exception, string method, string? userId);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} failed for {UserId}")]
    private partial void LogFailed(Exception exception, string method, string? userId);
}
