using Cryb.Bench.Load;
using Cryb.Bench.Measurement;

namespace Cryb.Bench.Cli;

/// <summary>The options every scenario takes, read into a <see cref="BenchContext"/>.</summary>
public static class CommonOptions
{
    public static IReadOnlyList<OptionSpec<BenchContext>> Specs { get; } =
    [
        new("gateways", "comma-separated gateway URLs, for example http://127.0.0.1:5080,http://127.0.0.1:5081; clients are spread over them round robin",
            c => c.Gateways, (c, v) => c with { Gateways = GatewayUrls(v) }, IsRequired: true),
        new("process", "name=pid of a cluster process to measure (repeat it); names starting with gateway or silo form those groups; a pid counts with all its descendants (postgres=<postmaster pid>)",
            c => c.Processes, (c, v) => c with { Processes = [.. c.Processes, Parse(v)] }),
        new("metrics", "name=url of a measured .NET process's Prometheus endpoint (repeat it): soak reads the GC's figures there to tell a managed leak from native growth",
            c => c.MetricsUrls.Select(pair => $"{pair.Key}={pair.Value}"), (c, v) => c with { MetricsUrls = WithMetricsUrl(c.MetricsUrls, v) }),
        new("out", "directory for result.json, summary.md, plot.svg and plot.png (default .cryb/bench/<utc time>-<scenario>/)",
            c => c.OutputDirectory, (c, v) => c with { OutputDirectory = v.Text }),
        new("system", "what the gateways are: cryb, socketio (the baseline in bench/socketio) or signalr (the reference hub in bench/Cryb.Bench.Reference)",
            c => c.System, (c, v) => c with { System = v.Enum<BenchSystem>() }),
        new("client", "SignalR client of the generator: lean (bare WebSocket, no negotiation, JSON) or official (Microsoft.AspNetCore.SignalR.Client)",
            c => c.Client, (c, v) => c with { Client = v.Enum<BenchClientKind>() }),
        new("protocol", "hub protocol of the official client: json or messagepack",
            c => c.Protocol, (c, v) => c with { Protocol = v.Enum<BenchProtocol>() }),
        new("skip-negotiation", "the official client connects over WebSockets directly, without the negotiate request (the lean client always does)",
            c => c.SkipNegotiation, (c, _) => c with { SkipNegotiation = true }, IsFlag: true),
        new("run-id", "prefix of user ids and channel names, so runs on one database never meet",
            _ => "random", (c, v) => c with { RunId = v.Text }),
        new("setup-concurrency", "token requests, connects and joins in flight while setting up",
            c => c.SetupConcurrency, (c, v) => c with { SetupConcurrency = v.Int(min: 1) }),
        new("connect-timeout", "seconds one connection may take to get Ready",
            c => c.ConnectTimeout, (c, v) => c with { ConnectTimeout = v.Seconds(min: 0.1) }),
    ];

    private static string[] GatewayUrls(ArgValue value)
    {
        var urls = value.TextList().Select(url => url.TrimEnd('/')).ToArray();
        foreach (var gateway in urls)
        {
            if (!Uri.TryCreate(gateway, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new UsageException($"--gateways wants http(s) URLs, got '{gateway}'.");
            }
        }

        return urls;
    }

    private static Dictionary<string, string> WithMetricsUrl(IReadOnlyDictionary<string, string> urls, ArgValue value)
    {
        var equals = value.Text.IndexOf('=');
        if (equals < 1 || !Uri.TryCreate(value.Text[(equals + 1)..], UriKind.Absolute, out var url))
        {
            throw new UsageException($"--metrics wants name=url, got '{value.Text}'.");
        }

        return new Dictionary<string, string>(urls) { [value.Text[..equals]] = url.ToString() };
    }

    private static MonitoredProcess Parse(ArgValue value)
    {
        try
        {
            return MonitoredProcess.Parse(value.Text);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }
    }
}
