using Cryb.Gateway.Auth;
using Cryb.Gateway.Voice;
using Cryb.Hosting.Health;
using Cryb.Hosting.Telemetry;

namespace Cryb.Gateway.Hosting;

public static class GatewayPipelineExtensions
{
    /// <summary>The gateway's request pipeline, in the order a request meets it, and its endpoints.</summary>
    public static WebApplication MapCrybGateway(this WebApplication app)
    {
        // The web client's files first: public, and answered before any authentication runs.
        app.UseCrybWebClient();
        app.UseCrybBrowserOrigins();
        app.UseCrybGatewayDrain();
        // Before the token is checked: a connect refused for load costs as little as it can.
        app.UseConnectAdmission();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapCrybHealth();
        app.MapCrybMetrics();
        // Created now, not at the first connection or refusal, so /metrics shows their series at once.
        app.Services.GetRequiredService<GatewayMetrics>();
        app.Services.GetRequiredService<AuthenticationAudit>();
        app.MapCrybChatHub();
        app.MapDevTokens();
        app.MapLiveKitWebhooks();
        return app;
    }
}
