namespace Cryb.Gateway.Auth;

/// <summary>
/// Refuses with 403 a request to <c>/hubs/*</c> whose <c>Origin</c> is neither listed in
/// <c>Cors:AllowedOrigins</c> nor the gateway's own.
/// </summary>
/// <remarks>
/// CORS does not cover WebSockets: a browser opens a WebSocket to any host and only tells the
/// server where the page came from in <c>Origin</c>. Without this check any web page could open
/// the hub with a token it obtained (cross-site WebSocket hijacking). Requests without an
/// <c>Origin</c> header are not from a browser page and pass.
/// </remarks>
public sealed class HubOriginCheck(RequestDelegate next, BrowserOrigins origins, AuthenticationAudit audit)
{
    private const int MaxLoggedOrigin = 200;

    public Task InvokeAsync(HttpContext context)
    {
        var origin = context.Request.Headers.Origin;
        if (origin.Count > 0 && context.Request.Path.StartsWithSegments("/hubs")
            && (origin.Count > 1 || !origins.Allows(origin.ToString(), context.Request)))
        {
            // Truncated: the header is the caller's to write, and a log line is not the place for a novel.
            var shown = origin.ToString();
            audit.OriginRefused(context, shown.Length > MaxLoggedOrigin ? shown[..MaxLoggedOrigin] : shown);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }

        return next(context);
    }
}
