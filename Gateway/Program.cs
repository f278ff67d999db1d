using Cryb.Gateway.Auth;
using Cryb.Gateway.Hosting;
using Cryb.Hosting.Telemetry;

var builder = WebApplication.CreateBuilder(args);
builder.AddCrybTelemetry("cryb-gateway");
builder.AddCrybOrleansClient();
builder.AddCrybAuthentication();
builder.AddCrybChatHub();
var app = builder.Build();
app.MapCrybGateway();
await app.RunAsync();
