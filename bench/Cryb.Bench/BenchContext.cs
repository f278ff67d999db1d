using Cryb.Bench.Load;
using Cryb.Bench.Measurement;

namespace Cryb.Bench;

/// <summary>What every scenario needs: where the cluster is, what to measure, how the clients talk.</summary>
public sealed record BenchContext
{
    /// <summary>Gateway base URLs (<c>http://127.0.0.1:5080</c>); clients are spread over them.</summary>
    public IReadOnlyList<string> Gateways { get; init; } = [];

    /// <summary>Cluster processes whose CPU (and, for <c>idle</c>, memory) is measured.</summary>
    public IReadOnlyList<MonitoredProcess> Processes { get; init; } = [];

    /// <summary>
    /// The <c>/metrics</c> URL of a .NET process among <see cref="Processes"/>, by name: where a
    /// soak reads the GC's figures beside resident memory.
    /// </summary>
    public IReadOnlyDictionary<string, string> MetricsUrls { get; init; } = new Dictionary<string, string>();

    /// <summary>What the gateways are: Cryb's, or a baseline's (which decides the wire protocol).</summary>
    public BenchSystem System { get; init; } = BenchSystem.Cryb;

    /// <summary>The SignalR client: lean (default) or official. The Socket.IO baseline always gets its lean client.</summary>
    public BenchClientKind Client { get; init; } = BenchClientKind.Lean;

    public BenchProtocol Protocol { get; init; } = BenchProtocol.Json;

    /// <summary>Connect straight over WebSockets, without the negotiate request.</summary>
    public bool SkipNegotiation { get; init; }

    /// <summary>Prefix of every user id and channel name, so runs on the same database never meet.</summary>
    public string RunId { get; init; } = Guid.NewGuid().ToString("N")[..8];

    /// <summary>Token requests, connects and joins in flight at once while setting up (never during a measured window).</summary>
    public int SetupConcurrency { get; init; } = 64;

    /// <summary>How long one connection may take to get <c>Ready</c>.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Where <c>result.json</c>, <c>summary.md</c> and the plots (<c>plot.svg</c>, <c>plot.png</c>) go; by default <c>.cryb/bench/&lt;utc time&gt;-&lt;scenario&gt;/</c>.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Progress lines; the console by default, the test output in tests.</summary>
    public Action<string> Log { get; init; } = line => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");

    /// <summary>The combinations the clients cannot speak, as a usage error; null when the context is fine.</summary>
    public string? Contradiction() => (System, Client, Protocol) switch
    {
        (BenchSystem.Socketio, BenchClientKind.Official, _) => "--client official speaks SignalR; the Socket.IO baseline is loaded by the lean client only.",
        (BenchSystem.Socketio, _, BenchProtocol.MessagePack) => "--protocol messagepack is a SignalR protocol; the Socket.IO baseline speaks JSON.",
        (_, BenchClientKind.Lean, BenchProtocol.MessagePack) => "The lean client speaks the JSON hub protocol; add --client official for messagepack.",
        _ => null,
    };

    /// <summary>A user id unique to this run: <c>bench-&lt;run&gt;-&lt;role&gt;&lt;n&gt;</c>.</summary>
    public string UserId(string role, int index) => $"bench-{RunId}-{role}{index}";

    /// <summary>The gateway the <paramref name="index"/>-th client of a round robin uses.</summary>
    public string Gateway(int index) => Gateways[index % Gateways.Count];
}
