using Cryb.Gateway.Auth;
using Cryb.Gateway.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddCrybOrleansClient();
builder.AddCrybAuthentication();
builder.AddCrybChatHub();
var app = builder.Build();
app.MapCrybGateway();
await app.RunAsync();
