using Cryb.Bench.Cli;
using Cryb.Chaos;
using Cryb.Chaos.Faults;

namespace Cryb.Tests.Chaos;

/// <summary>
/// Real command lines through the fault suite's System.CommandLine parser, into the settings its
/// run gets; the run here only keeps them, so no cluster starts.
/// </summary>
public sealed class ChaosCommandLineTests
{
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();
    private ChaosSettings? _ran;

    [Fact]
    public async Task Without_options_it_runs_every_fault_with_the_full_phases()
    {
        Assert.Equal(0, await InvokeAsync());

        Assert.Equal(FaultCatalog.All.Select(fault => fault.Name), _ran!.Faults().Select(fault => fault.Name));
        Assert.Equal(new ChaosSettings().PhaseLength, _ran.PhaseLength);
        Assert.Null(_ran.Output);
    }

    [Fact]
    public async Task Short_runs_the_short_suite_with_its_shorter_phases()
    {
        Assert.Equal(0, await InvokeAsync("--short"));

        Assert.True(_ran!.Short);
        Assert.Equal(ChaosSettings.ShortSuite(new ChaosSettings()), _ran);
        Assert.Equal(FaultCatalog.All.Where(fault => fault.InShortSuite), _ran.Faults());
    }

    [Fact]
    public async Task Named_scenarios_run_in_the_order_given_and_results_go_to_out()
    {
        Assert.Equal(0, await InvokeAsync("--scenario", "pause-silo,kill-silo", "--scenario", "redis-lost", "--out", "/tmp/chaos-out", "--short"));

        Assert.Equal(["pause-silo", "kill-silo", "redis-lost"], _ran!.Faults().Select(fault => fault.Name));
        Assert.Equal("/tmp/chaos-out", _ran.Output);
        Assert.True(_ran.Short);
    }

    [Theory]
    [InlineData("Unknown scenario no-such-fault. Scenarios: kill-silo,", "--scenario", "kill-silo,no-such-fault")]
    [InlineData("'--scenario'", "--scenario")]
    [InlineData("'--shrot'", "--shrot")]
    [InlineData("'extra'", "extra")]
    public async Task A_command_line_it_cannot_run_exits_with_2_naming_what_is_wrong(string error, params string[] args)
    {
        Assert.Equal(CommandLines.BadUsage, await InvokeAsync(args));

        Assert.Null(_ran);
        Assert.Contains(error, _error.ToString());
    }

    [Fact]
    public async Task Help_lists_every_fault_and_marks_the_short_ones()
    {
        Assert.Equal(0, await InvokeAsync("--help"));

        Assert.Null(_ran);
        Assert.All(FaultCatalog.All, fault => Assert.Contains($"  {fault.Name,-20}{(fault.InShortSuite ? "[short] " : "")}{fault.Description}", _output.ToString()));
        Assert.Contains("--scenario <NAME[,NAME]>", _output.ToString());
    }

    private Task<int> InvokeAsync(params string[] args) =>
        CommandLines.InvokeAsync(ChaosCommandLine.Create(settings =>
        {
            _ran = settings;
            return Task.FromResult(0);
        }), args, _output, _error);
}
