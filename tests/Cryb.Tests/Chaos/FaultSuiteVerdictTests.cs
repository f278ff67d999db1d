using Cryb.Bench.Measurement;
using Cryb.Chaos.Checker;
using Cryb.Chaos.Faults;
using Cryb.Chaos.Reporting;

namespace Cryb.Tests.Chaos;

/// <summary>
/// The fault suite cannot pass by not running: a scenario whose fault threw, or that the suite
/// never reached because an earlier fault left the cluster broken, fails it as surely as a lost
/// message, and the table says so.
/// </summary>
public sealed class FaultSuiteVerdictTests
{
    private const string Machine = "2 cores, test";

    [Fact]
    public void A_suite_whose_scenarios_all_ran_with_zeros_passes()
    {
        ScenarioResult[] results = [Ran("kill-silo"), Ran("kill-gateway")];

        Assert.Equal(0, ResultTable.ExitCode(results));
        Assert.DoesNotContain("NOT RUN", ResultTable.Markdown(results, Machine));
    }

    [Fact]
    public void A_scenario_the_suite_never_reached_fails_it_and_shows_as_not_run()
    {
        ScenarioResult[] results =
        [
            Ran("kill-silo"),
            ScenarioResult.Skipped("kill-gateway", "kill -9 a gateway", "the cluster did not recover after kill-silo"),
        ];

        var table = ResultTable.Markdown(results, Machine);

        Assert.Equal(1, ResultTable.ExitCode(results));
        Assert.False(results[1].Passed);
        Assert.Contains("| kill-gateway **NOT RUN** | - |", table);
        Assert.Contains("not run: the cluster did not recover after kill-silo", table);
    }

    [Fact]
    public void A_scenario_whose_fault_threw_fails_the_suite_although_its_figures_are_zero()
    {
        var threw = Ran("pause-silo") with { NotRunReason = "the fault's own steps failed: InvalidOperationException: no such process" };

        var table = ResultTable.Markdown([threw], Machine);

        Assert.Equal(1, ResultTable.ExitCode([threw]));
        Assert.Contains("| pause-silo **NOT RUN** | 100 | 100 | 0 |", table);
        Assert.Contains("not run: the fault's own steps failed", table);
    }

    [Fact]
    public void A_suite_that_ran_nothing_fails() => Assert.Equal(1, ResultTable.ExitCode([]));

    [Fact]
    public void A_lost_message_still_fails_a_scenario_that_ran()
    {
        var lost = Ran("kill-silo") with { Lost = 1 };

        Assert.Equal(1, ResultTable.ExitCode([lost]));
        Assert.Contains("| kill-silo **FAILED** |", ResultTable.Markdown([lost], Machine));
    }

    [Fact]
    public void A_connected_user_still_shown_offline_fails_the_scenario_that_checked_presence()
    {
        var offline = Ran("kill-presence-silo") with { UsersShownOffline = 2 };

        Assert.Equal(1, ResultTable.ExitCode([offline]));
        Assert.Contains("**2 connected users still shown offline**", ResultTable.Markdown([offline], Machine));
    }

    [Fact]
    public void A_failover_slower_than_the_faults_target_fails_the_scenario_and_one_within_it_passes()
    {
        var slow = Ran("pause-silo") with { SendsAgainTargetSeconds = 20, EverySendingAfterSeconds = 36.95 };
        var quick = Ran("pause-silo") with { SendsAgainTargetSeconds = 20, EverySendingAfterSeconds = 6.88 };
        var never = Ran("kill-silo") with { SendsAgainTargetSeconds = 10, EverySendingAfterSeconds = null };

        Assert.Equal(1, ResultTable.ExitCode([slow]));
        Assert.Contains("beyond the target of 20 s", ResultTable.Markdown([slow], Machine));
        Assert.Equal(0, ResultTable.ExitCode([quick]));
        Assert.False(never.Passed);
    }

    [Fact]
    public void The_faults_that_kill_or_freeze_a_silo_carry_the_failover_targets()
    {
        var targets = FaultCatalog.All.Where(fault => fault.SendsAgainWithinSeconds is not null)
            .ToDictionary(fault => fault.Name, fault => fault.SendsAgainWithinSeconds);

        Assert.Equal(new Dictionary<string, double?> { ["kill-silo"] = 10, ["kill-silo-restart"] = 10, ["pause-silo"] = 20, ["server-roles"] = 10 }, targets);
    }

    [Fact]
    public void Nonces_are_never_reused_across_scenarios_of_a_run()
    {
        // A reused nonce is a resend to the server: it answers with the message an earlier
        // scenario stored, and the later scenario would count an old message as its own send.
        var recorder = new Recorder(channels: 4);
        var nonces = new HashSet<string>();

        foreach (var scenario in new[] { "kill-silo", "kill-gateway", "redis-restart" })
        {
            recorder.Begin(scenario);
            for (var i = 0; i < 100; i++)
            {
                Assert.True(nonces.Add(recorder.NextNonce("chaos-001")));
            }
        }
    }

    private static ScenarioResult Ran(string name) => new(
        name, $"{name} under load", 12.5, 100, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, [], 0, 0, 1.5, 2.5,
        LatencySummary.Empty, LatencySummary.Empty, LatencySummary.Empty, []);
}
