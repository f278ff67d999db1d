using Cryb.Bench.Reference;

// Plain ASP.NET Core SignalR, for reference: the hub path and methods of Cryb's gateway, channels as
// SignalR groups with the default lifetime manager, seqs in memory, nothing stored. The bench
// measures its CPU per delivered frame beside the gateways' (bench/README.md, "--compare signalr").
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.AddReferenceAuth();
builder.Services.AddSingleton<ReferenceChannels>();
builder.Services.AddSignalR().AddJsonProtocol(options =>
    options.PayloadSerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapDevTokens();
app.MapGet("/health/live", () => TypedResults.Ok());
app.MapGet("/health/ready", () => TypedResults.Ok());
app.MapHub<ReferenceHub>(ReferenceHub.Path);
app.Run();
