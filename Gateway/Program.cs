using Cryb.Gateway.Auth;
using Cryb.Gateway.Hosting;
using Cryb.Hosting;
using Cryb.Hosting.Health;
using Cryb.Hosting.Telemetry;
using Cryb.Gateway.Voice;

// `Cryb.Gateway probe URL`: the container HEALTHCHECK, before any host is built (HealthProbe says why).
if (args is [HealthProbe.Command, ..])
{
    return await HealthProbe.RunAsync(args[1..]);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddCrybShutdown();
builder.AddCrybTelemetry("cryb-gateway");
builder.AddCrybGatewayMetrics();
builder.AddCrybOrleansClient();
builder.AddCrybAuthentication();
builder.AddCrybChatHub();
builder.AddCrybHubLimits();
builder.AddCrybFanout();
builder.AddCrybPresence();
builder.AddCrybGatewayDrain();
builder.AddCrybVoiceWebhooks();
var app = builder.Build();
app.MapCrybGateway();
await app.RunAsync();
return 0;
