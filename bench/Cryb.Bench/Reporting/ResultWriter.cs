using System.Text.Json;
using System.Text.Json.Serialization;
using Cryb.Bench.Load;

namespace Cryb.Bench.Reporting;

/// <summary>Writes a result as <c>result.json</c>, <c>summary.md</c> and its plots (<c>plot.svg</c>, <c>plot.png</c>).</summary>
public static class ResultWriter
{
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The default output directory: <c>.cryb/bench/&lt;utc time&gt;-&lt;scenario&gt;</c> under the working directory.</summary>
    public static string DefaultDirectory(string scenario, DateTimeOffset startedAt) =>
        Path.Combine(".cryb", "bench", $"{startedAt.UtcDateTime:yyyyMMdd-HHmmss}-{scenario}");

    /// <summary>Writes every file of <paramref name="result"/> and returns their names.</summary>
    public static async Task<IReadOnlyList<string>> WriteAsync(ScenarioResult result, string directory)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "result.json"), ToJson(result));
        await File.WriteAllTextAsync(Path.Combine(directory, "summary.md"), Summary(result));
        var files = new List<string> { "result.json", "summary.md" };
        foreach (var (name, plot) in result.Plots())
        {
            PlotImages.Write(plot, directory, name);
            files.AddRange(PlotImages.FileNames(name));
        }

        return files;
    }

    public static string ToJson(ScenarioResult result) => JsonSerializer.Serialize(result, result.GetType(), JsonOptions);

    /// <summary>Writes a comparison's <c>result.json</c> and <c>summary.md</c>.</summary>
    public static async Task<string> WriteAsync(ComparisonResult comparison, string directory)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "result.json"), JsonSerializer.Serialize(comparison, JsonOptions));
        await File.WriteAllTextAsync(Path.Combine(directory, "summary.md"), comparison.Summary());
        return directory;
    }

    /// <summary>Reads back the <c>result.json</c> of a message scenario (fanout, ramp, hot-channel).</summary>
    public static MessageLoadResult ReadMessageLoad(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<MessageLoadResult>(File.ReadAllText(path), JsonOptions) is { Steps.Count: > 0 } result
                ? result
                : throw new InvalidDataException($"{path} has no steps: it is not the result of fanout, ramp or hot-channel.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is not the result of fanout, ramp or hot-channel: {ex.Message}", ex);
        }
    }

    public static string Summary(ScenarioResult result)
    {
        var run = result.Run;
        var markdown = new MarkdownWriter().Heading($"cryb bench: {run.Scenario}", 1);
        if (result.Invocation is { } invocation)
        {
            markdown.Line($"- command: `{invocation}`");
        }

        if (result.CommandLine is { } command)
        {
            markdown.Line($"- {(result.Invocation is null ? "command" : "load tool")}: `{command}`");
        }

        markdown.Line($"- run {run.RunId}, {run.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, {(run.FinishedAt - run.StartedAt).TotalSeconds:0} s; {run.ProcessorCount} cores")
            .Line($"- {run.System.Label()} at {string.Join(", ", run.Gateways)}; {ClientText(run)}")
            .Line($"- measured processes: {(run.Processes.Count == 0 ? "none (only the generator)" : string.Join(", ", run.Processes.Select(p => $"{p.Name}={p.Pid}")))}")
            .Line($"- verdict: {(result.Passed ? "**pass**" : "**FAIL**: " + string.Join("; ", result.Failures))}")
            .Blank();
        result.WriteSummary(markdown);
        return markdown.ToString();
    }

    private static string ClientText(RunInfo run) => run.System == BenchSystem.Socketio
        ? "the lean Socket.IO client"
        : run.Client == BenchClientKind.Lean
            ? "the lean SignalR client (JSON, no negotiation)"
            : $"the official SignalR client, protocol {run.Protocol}{(run.SkipNegotiation ? ", negotiation skipped" : "")}";
}
