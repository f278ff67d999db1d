using System.Text.Json.Serialization;

namespace Cryb.Bench.Reporting;

/// <summary>What a scenario measured: serialized as <c>result.json</c>, summarized in <c>summary.md</c>, plotted in <c>plot.svg</c> and <c>plot.png</c>.</summary>
public abstract class ScenarioResult(RunInfo run)
{
    /// <summary>The environment variable through which a script passes the command the user typed.</summary>
    public const string InvocationVariable = "CRYB_BENCH_COMMAND";

    public RunInfo Run { get; } = run;

    /// <summary>The command that produced the result, as typed (set by the command line front end).</summary>
    public string? CommandLine { get; set; }

    /// <summary>The command the user typed when a script ran the tool (<c>./cryb bench ...</c>, from <c>CRYB_BENCH_COMMAND</c>).</summary>
    public string? Invocation { get; set; }

    /// <summary>Correctness failures (lost, duplicated or reordered messages; dropped connections). Empty when the run passed.</summary>
    public abstract IReadOnlyList<string> Failures { get; }

    public bool Passed => Failures.Count == 0;

    /// <summary>The scenario's own tables, after the common header.</summary>
    public abstract void WriteSummary(MarkdownWriter markdown);

    public abstract PlotSpec Plot();

    /// <summary>
    /// Every chart the result draws, by the name of its files (<see cref="PlotImages.FileNames"/>):
    /// <c>plot</c>, and more where one chart cannot say it.
    /// </summary>
    public virtual IEnumerable<(string Name, PlotSpec Plot)> Plots()
    {
        yield return ("plot", Plot());
    }

    /// <summary>The scenario's parameters, as given or defaulted.</summary>
    [JsonPropertyOrder(-1)]
    public abstract object Options { get; }
}
