namespace Cryb.Testing;

/// <summary>
/// The named ways a cluster on this machine departs from the developer default (<see cref="Up"/>),
/// each with its reason. Everything the profiles share is in <see cref="HostEnvironment"/>,
/// <see cref="PostgresServer"/> and <see cref="RedisServer"/>.
/// </summary>
public sealed record ClusterProfile
{
    public required string Name { get; init; }

    /// <summary>PostgreSQL flushes its write-ahead log to disk at each commit (its <c>fsync</c>).</summary>
    public bool Fsync { get; init; } = true;

    /// <summary>Redis keeps an append-only file that a restart reads back, so membership survives it.</summary>
    public bool RedisAppendOnly { get; init; } = true;

    /// <summary>Settings every silo gets on top of the shared ones.</summary>
    public IReadOnlyDictionary<string, string> SiloSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>Settings every silo and gateway gets on top of the shared ones (before <see cref="HostEnvironment.Settings"/>).</summary>
    public IReadOnlyDictionary<string, string> HostSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Backend-service accounts the silos know besides the gateways', by name, with their grants:
    /// tools that call grains through the Orleans client as a service would. Each one's secret is
    /// <see cref="HostEnvironment.ServiceSecret"/>.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ServiceAccounts { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>
    /// The account the load tool's <c>guilds</c> scenario seeds a server's members with: granted
    /// <c>IGuildGrain.ImportMembers</c> only, the backend-service bulk path, so the tool can do
    /// nothing else a service could.
    /// </summary>
    public const string BenchImporter = "bench-importer";

    /// <summary><c>./cryb up</c>: the servers durable and the limits as shipped, as a deployment runs.</summary>
    public static ClusterProfile Up { get; } = new() { Name = "up" };

    /// <summary><c>./cryb bench</c>: the developer cluster with the per-user rate limits out of the way.</summary>
    public static ClusterProfile Bench { get; } = Up with
    {
        Name = "bench",
        // The shipped per-user limits (5 messages/s) would refuse the load itself.
        SiloSettings = RateLimits(100_000, typing: true),
        ServiceAccounts = new Dictionary<string, IReadOnlyList<string>> { [BenchImporter] = ["IGuildGrain.ImportMembers"] },
        HostSettings = BenchVoice,
    };

    /// <summary>
    /// Voice on for <c>./cryb bench voice</c>: a LiveKit key pair and a URL where nothing listens
    /// (port 9, discard, as the voice tests use). No LiveKit server can run here, and none is
    /// needed to measure voice states: a join from outside voice or an update calls no RoomService;
    /// a leave and a move call <c>RemoveParticipant</c> best effort, not awaited, after the state is
    /// published, which this URL refuses at once (the silo logs it).
    /// </summary>
    public static IReadOnlyDictionary<string, string> BenchVoice => new Dictionary<string, string>
    {
        ["Voice__LiveKit__Url"] = "ws://127.0.0.1:9",
        ["Voice__LiveKit__ApiKey"] = "APIcrybBench",
        ["Voice__LiveKit__ApiSecret"] = "bench-livekit-secret-" + new string('b', 32),
    };

    /// <summary>The integration tests' clusters.</summary>
    public static ClusterProfile Tests { get; } = new()
    {
        Name = "tests",
        // A test run does not need to survive the machine crashing, and fsync off halves its time.
        Fsync = false,
        // Every run starts its own Redis and throws it away; a test that restarts Redis keeping its
        // data starts a persistent one of its own.
        RedisAppendOnly = false,
        // Far above any test's pace, so tests of other behaviour never meet them.
        SiloSettings = RateLimits(10_000, typing: true),
    };

    /// <summary>The tests of the limits themselves: the rate limits as shipped.</summary>
    public static ClusterProfile TestsWithShippedLimits { get; } = Tests with
    {
        Name = "tests-shipped-limits",
        SiloSettings = new Dictionary<string, string>(),
    };

    /// <summary>The fault suite's cluster (chaos/Cryb.Chaos).</summary>
    public static ClusterProfile Chaos { get; } = Up with
    {
        Name = "chaos",
        // The faults kill and pause processes, PostgreSQL's included, never the machine: what a
        // commit wrote is in the kernel's page cache either way, so fsync would cost time and
        // change no figure.
        Fsync = false,
        // The checker's senders retry with their nonce after a fault; the shipped 5 messages/s per
        // user would refuse those catch-up bursts and blur what the fault itself caused. Typing is
        // not sent, so its limit stays as shipped.
        SiloSettings = RateLimits(1_000, typing: false),
    };

    private static Dictionary<string, string> RateLimits(int perSecond, bool typing)
    {
        var kinds = typing ? new[] { "Messages", "Calls", "Typing" } : ["Messages", "Calls"];
        var value = perSecond.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return kinds.SelectMany(kind => new[] { ($"RateLimits__{kind}__PerSecond", value), ($"RateLimits__{kind}__Burst", value) })
            .ToDictionary(pair => pair.Item1, pair => pair.Item2);
    }
}
