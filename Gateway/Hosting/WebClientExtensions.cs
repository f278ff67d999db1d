using Microsoft.Extensions.FileProviders;

namespace Cryb.Gateway.Hosting;

/// <summary>
/// Serves the web client (web/, built by Vite) at <c>/</c>, from the directory the setting
/// <c>Gateway:WebRoot</c> names. Relative paths are taken from the gateway's own directory, not the
/// working directory, so <c>./cryb up</c>, the tests (which run the gateway from its build output)
/// and a container image all find the copy the build puts there: <c>wwwroot/</c> next to
/// <c>Cryb.Gateway.dll</c>, copied from <c>web/dist</c> by the project file.
/// </summary>
public static partial class WebClientExtensions
{
    public const string WebRootSetting = "Gateway:WebRoot";
    public const string DefaultWebRoot = "wwwroot";

    /// <summary>Invite links are <c>{origin}/invite/{code}</c>: the web client shows the invite's preview there.</summary>
    public const string InvitePath = "/invite";

    /// <summary>
    /// Only what the page needs: its own scripts and styles, and its own origin for fetch and the
    /// WebSocket ('self' covers ws: and wss: on the same host). The page never needs a frame,
    /// a plugin or an inline script.
    /// </summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication UseCrybWebClient(this WebApplication app)
    {
        var configured = app.Configuration[WebRootSetting];
        var root = Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? DefaultWebRoot : configured, AppContext.BaseDirectory);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Cryb.Gateway.WebClient");
        if (!File.Exists(Path.Combine(root, "index.html")))
        {
            if (!string.IsNullOrWhiteSpace(configured))
            {
                throw new InvalidOperationException(
                    $"{WebRootSetting.Replace(":", "__", StringComparison.Ordinal)} is '{configured}', but {root} has no index.html: " +
                    "build the web client (`npm ci && npm run build` in web/) or fix the setting.");
            }

            // A gateway built without Node (a backend-only deployment) still serves the hub.
            LogNoWebClient(logger, root);
            return app;
        }

        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        var options = new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                // Vite puts a content hash in every asset name; index.html names the current ones.
                headers.CacheControl = context.Context.Request.Path.StartsWithSegments("/assets")
                    ? "public, max-age=31536000, immutable"
                    : "no-cache";
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
            },
        };
        app.UseStaticFiles(options);
        // An invite link (/invite/CODE) is the page itself, which reads the code from its address:
        // the one path besides / that the client routes, so no catch-all fallback hides a typo's 404.
        app.MapFallbackToFile(InvitePath + "/{code}", "index.html", options);
        LogServing(logger, root);
        return app;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving the web client at / from {WebRoot}")]
    private static partial void LogServing(ILogger logger, string webRoot);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No web client at {WebRoot} (no index.html): / is not served. Build it with `npm ci && npm run build` in web/ before building the gateway, or set Gateway__WebRoot")]
    private static partial void LogNoWebClient(ILogger logger, string webRoot);
}
