using Cryb.Hosting;

namespace Cryb.Gateway.Auth;

public static class BrowserOriginExtensions
{
    /// <summary>The CORS policy named on the hub and dev-token endpoints.</summary>
    public const string CorsPolicy = "cryb-browsers";

    /// <summary>
    /// One allow-list, <c>Cors:AllowedOrigins</c>, for both CORS (fetch and XHR: negotiate, the
    /// dev-token endpoint, long polling) and the WebSocket handshake, which browsers send without
    /// CORS: <see cref="HubOriginCheck"/> refuses it from other origins.
    /// </summary>
    public static WebApplicationBuilder AddCrybBrowserOrigins(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.BindValidated<BrowserOriginSettings>(BrowserOriginSettings.Section);
        var origins = settings.AllowedOrigins.Select(origin => BrowserOriginSettings.Normalize(origin)!).ToArray();
        builder.Services.AddSingleton(new BrowserOrigins(origins));
        // Credentials allowed: the SignalR JavaScript client sends requests withCredentials.
        builder.Services.AddCors(options => options.AddPolicy(CorsPolicy, policy => policy
            .WithOrigins(origins)
            .AllowAnyHeader()
            .AllowAnyMethod()
            .AllowCredentials()));
        return builder;
    }

    /// <summary>CORS answers, then the hub's origin check, both before authentication: a page of another origin gets 403 whatever its token.</summary>
    public static WebApplication UseCrybBrowserOrigins(this WebApplication app)
    {
        app.UseCors();
        app.UseMiddleware<HubOriginCheck>();
        return app;
    }
}
