using System.Diagnostics;
using System.Text.Json;
using Cryb.Testing;

namespace Cryb.Tests.Voice;

/// <summary>
/// A STAND-IN for a LiveKit server's RoomService (tests/js/livekit-standin.mjs), not LiveKit: it
/// judges our calls with LiveKit's own token verifier and protocol messages, and records them.
/// </summary>
public sealed class LiveKitStandIn : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Process _process;

    private LiveKitStandIn(Process process, int port)
    {
        _process = process;
        Url = $"ws://127.0.0.1:{port}";
    }

    /// <summary>The URL to configure as <c>Voice__LiveKit__Url</c>.</summary>
    public string Url { get; }

    public static async Task<LiveKitStandIn> StartAsync(string apiKey, string apiSecret)
    {
        var scripts = Path.Combine(BuildOutput.RepositoryRoot, "tests", "js");
        Assert.True(Directory.Exists(Path.Combine(scripts, "node_modules", "@livekit", "protocol")),
            "tests/js/node_modules is missing LiveKit's packages: `./cryb test` runs `npm ci` there first.");
        var start = new ProcessStartInfo("node", [Path.Combine(scripts, "livekit-standin.mjs")]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["LIVEKIT_API_KEY"] = apiKey;
        start.Environment["LIVEKIT_API_SECRET"] = apiSecret;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the LiveKit stand-in did not start: {line} {await process.StandardError.ReadToEndAsync()}");
        }

        return new LiveKitStandIn(process, int.Parse(line["listening ".Length..]));
    }

    /// <summary>The calls the stand-in accepted, oldest first: method and request as protobuf JSON.</summary>
    public async Task<IReadOnlyList<(string Method, JsonElement Request)>> CallsAsync()
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync($"{HttpUrl}/calls"));
        return document.RootElement.EnumerateArray()
            .Select(call => (call.GetProperty("method").GetString()!, call.GetProperty("request").Clone()))
            .ToList();
    }

    /// <summary>
    /// The first accepted call that <paramref name="wanted"/> picks, waiting for new calls as the
    /// stand-in accepts them (the moderation that makes them does not wait for LiveKit); a timeout
    /// names <paramref name="what"/>.
    /// </summary>
    public async Task<JsonElement> WaitForCallAsync(string method, Func<JsonElement, bool> wanted, string what, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        var seen = -1;
        try
        {
            while (true)
            {
                using var document = JsonDocument.Parse(await Http.GetStringAsync($"{HttpUrl}/calls?more-than={seen}", cancel.Token));
                var calls = document.RootElement.EnumerateArray().ToArray();
                foreach (var call in calls.Where(call => call.GetProperty("method").GetString() == method))
                {
                    if (wanted(call.GetProperty("request")))
                    {
                        return call.GetProperty("request").Clone();
                    }
                }

                seen = calls.Length;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the LiveKit stand-in got no {method} call for {what} in time.");
        }
    }

    /// <summary>Makes the next RoomService call fail as an unavailable LiveKit does.</summary>
    public async Task FailNextAsync() => (await Http.PostAsync($"{HttpUrl}/fail-next", null)).EnsureSuccessStatusCode();

    private string HttpUrl => Url.Replace("ws://", "http://", StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
