using Cryb.Bench;
using Cryb.Bench.Cli;
using Cryb.Bench.Load;
using Cryb.Bench.Scenarios;

namespace Cryb.Tests.Bench;

/// <summary>
/// Real command lines through the load tool's System.CommandLine parser: what they set, and the
/// usage errors (exit code 2, the option named) for what it cannot run. Nothing here starts a run.
/// </summary>
public sealed class BenchCommandLineTests
{
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    [Fact]
    public void A_fanout_command_line_sets_each_option_given_and_keeps_the_defaults_of_the_others()
    {
        var (context, options) = Read<FanoutOptions>(
            "fanout", "--gateways", "http://127.0.0.1:5080/,http://127.0.0.1:5081", "--process", "silo-1=41", "--process", "gateway-1=42",
            "--rate", "2.5", "--duration", "30m", "--rate=4", "--client", "official", "--protocol", "MessagePack", "--skip-negotiation");

        Assert.Equal(["http://127.0.0.1:5080", "http://127.0.0.1:5081"], context.Gateways);
        Assert.Equal(["silo-1", "gateway-1"], context.Processes.Select(process => process.Name));
        Assert.Equal(42, context.Processes[1].Pid);
        Assert.Equal(BenchClientKind.Official, context.Client);
        Assert.Equal(BenchProtocol.MessagePack, context.Protocol);
        Assert.True(context.SkipNegotiation);
        // The last of a repeated option wins, as it always did.
        Assert.Equal(4, options.Rate);
        Assert.Equal(TimeSpan.FromMinutes(30), options.Duration);
        Assert.Equal(new FanoutOptions().Clients, options.Clients);
        Assert.Equal(new BenchContext().SetupConcurrency, context.SetupConcurrency);
    }

    [Fact]
    public void An_idle_command_line_reads_a_list_of_steps()
    {
        var (_, options) = Read<IdleOptions>("idle", "--gateways", "http://127.0.0.1:5080", "--steps", "0,100,250", "--settle", "2");

        Assert.Equal([0, 100, 250], options.Steps);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Settle);
    }

    [Theory]
    [InlineData("--rate abc", "--rate wants a number of at least 0.01, got 'abc'.")]
    [InlineData("--clients 0", "--clients wants a whole number of at least 1, got '0'.")]
    [InlineData("--duration 30x", "--duration wants seconds")]
    [InlineData("--system kafka", "--system wants cryb or socketio or signalr, got 'kafka'.")]
    [InlineData("--process silo-1", "--process")]
    [InlineData("--rate", "'--rate'")]
    [InlineData("--bogus 1", "'--bogus'")]
    public async Task A_value_or_option_it_cannot_take_is_a_usage_error_naming_the_option(string options, string error)
    {
        var status = await InvokeAsync(["fanout", "--gateways", "http://127.0.0.1:5080", .. options.Split(' ')]);

        Assert.Equal(BenchCommandLine.BadUsage, status);
        Assert.Contains(error, _error.ToString());
        Assert.Contains("`fanout --help` lists the options.", _error.ToString());
    }

    [Theory]
    [InlineData("fanout", "Option '--gateways' is required.")]
    [InlineData("fanout --gateways ftp://127.0.0.1", "--gateways wants http(s) URLs, got 'ftp://127.0.0.1'.")]
    [InlineData("fanout --gateways http://127.0.0.1:5080 --protocol messagepack", "add --client official for messagepack")]
    [InlineData("fanuot --gateways http://127.0.0.1:5080", "'fanuot'")]
    [InlineData("compare", "'result-dir'")]
    public async Task A_command_line_it_cannot_run_exits_with_2_and_says_why(string commandLine, string error)
    {
        Assert.Equal(BenchCommandLine.BadUsage, await InvokeAsync(commandLine.Split(' ')));
        Assert.Contains(error, _error.ToString());
    }

    [Fact]
    public async Task Without_a_scenario_it_prints_the_scenarios_and_exits_with_2()
    {
        Assert.Equal(BenchCommandLine.BadUsage, await InvokeAsync([]));
        Assert.All(ScenarioCatalog.All, scenario => Assert.Contains($"  {scenario.Name} ", _output.ToString()));
        Assert.Contains("2 bad usage", _output.ToString());
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("help")]
    public async Task Help_lists_the_scenarios_and_commands(string word)
    {
        Assert.Equal(0, await InvokeAsync([word]));
        Assert.Contains("  compare <result-dir> ", _output.ToString());
        Assert.Contains("  readme ", _output.ToString());
        Assert.Contains("3 setup failed", _output.ToString());
    }

    public static TheoryData<string> Scenarios => [.. ScenarioCatalog.All.Select(scenario => scenario.Name)];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task A_scenarios_help_lists_every_option_with_its_default(string name)
    {
        var scenario = ScenarioCatalog.Find(name)!;

        Assert.Equal(0, await InvokeAsync([name, "--help"]));
        var help = _output.ToString();
        foreach (var option in scenario.Options)
        {
            var line = help.Split('\n').SingleOrDefault(line => line.TrimStart().StartsWith($"--{option.Name} ", StringComparison.Ordinal));
            Assert.True(line is not null, $"{name} --help has no line for --{option.Name}");
            if (option.Default.Length > 0 && option.Name != "gateways")
            {
                Assert.Contains($"[default: {option.Default}]", line);
            }
        }
    }

    private (BenchContext Context, T Options) Read<T>(params string[] args)
    {
        var parse = BenchCommandLine.Root.Parse(args, CommandLines.Parser);
        Assert.Empty(parse.Errors);
        return ((ScenarioCommand<T>)ScenarioCatalog.Find(args[0])!).Read(parse);
    }

    private Task<int> InvokeAsync(string[] args) => BenchCommandLine.InvokeAsync(args, _output, _error);
}
