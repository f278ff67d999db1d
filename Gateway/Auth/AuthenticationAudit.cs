using System.Diagnostics.Metrics;
using Cryb.Gateway.Presence;
using Cryb.Telemetry;

namespace Cryb.Gateway.Auth;

/// <summary>
/// Every request the authentication edge refuses is logged here once, as a structured event with
/// its reason category, the remote address and the path (never the query string, which may hold
/// the token), and counted in <c>cryb.gateway.auth.failures{reason}</c>.
/// </summary>
public sealed partial class AuthenticationAudit
{
    private readonly ILogger<AuthenticationAudit> _logger;
    private readonly KeyValuePair<string, object?> _gateway;
    private readonly Counter<long> _failures;

    public AuthenticationAudit(IMeterFactory meters, GatewayIdentity gateway, ILogger<AuthenticationAudit> logger)
    {
        _logger = logger;
        _gateway = new("gateway", gateway.Id);
        _failures = meters.Create(TelemetryNames.Cryb).CreateCounter<long>(
            "cryb.gateway.auth.failures", "{request}", "Requests refused at the authentication edge, by reason");
        // Zero from the start, so a rate() over it works on a gateway that has refused nothing yet.
        _failures.Add(0, _gateway);
    }

    /// <summary>A request refused with 401; <paramref name="failure"/> is JwtBearer's, null when no token came.</summary>
    public void Unauthenticated(HttpContext context, Exception? failure)
    {
        var reason = AuthFailureReasons.Of(failure);
        LogUnauthenticated(reason, RemoteIp(context), context.Request.Path);
        _failures.Add(1, _gateway, new("reason", reason));
    }

    /// <summary>A hub request refused with 403 because a browser page of another origin sent it.</summary>
    public void OriginRefused(HttpContext context, string origin)
    {
        LogOriginRefused(origin, RemoteIp(context), context.Request.Path);
        _failures.Add(1, _gateway, new("reason", AuthFailureReasons.OriginNotAllowed));
    }

    private static string RemoteIp(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    [LoggerMessage(EventId = 4010, EventName = "AuthenticationRefused", Level = LogLevel.Information,
        Message = "Authentication refused ({Reason}) for {RemoteIp} on {Path}")]
    private partial void LogUnauthenticated(string reason, string remoteIp, PathString path);

    [LoggerMessage(EventId = 4030, EventName = "OriginRefused", Level = LogLevel.Information,
        Message = "Origin {Origin} refused for {RemoteIp} on {Path}")]
    private partial void LogOriginRefused(string origin, string remoteIp, PathString path);
}
