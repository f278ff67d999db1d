using System.Globalization;
using System.Text;
using System.Text.Json;
using Cryb.Bench.Measurement;

namespace Cryb.Chaos.Reporting;

/// <summary>The suite's output: a Markdown table (printed and written as result.md) and result.json.</summary>
public static class ResultTable
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static string Markdown(IReadOnlyList<ScenarioResult> results, string machine)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Fault suite on {machine}. Asserted (must be 0): lost, stored dup, gaps, out of order, and users shown offline where a scenario checks presence; every scenario must run.");
        text.AppendLine();
        text.AppendLine("| scenario | sent | acked | lost | stored dup | gaps | out of order | live dup / live gaps | unknown (landed) | unsettled | errors by code | every channel sends again | every member resumed | p50 / p99 ms before | during | after |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in results)
        {
            if (!r.Ran && r.DurationSeconds == 0)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Name} **NOT RUN** | - | - | - | - | - | - | - | - | - | - | - | - | - | - | - |");
                continue;
            }

            var errors = r.Errors.Count == 0 ? "none" : string.Join(", ", r.Errors.Select(error => $"{error.Key} {error.Value}"));
            var resumed = r.AllResumedAfterSeconds is { } all ? ChaosRun.Format(all) : $"{r.MembersNotResumed} never";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Name}{(!r.Ran ? " **NOT RUN**" : r.Passed ? "" : " **FAILED**")} | {r.Sent} | {r.Acknowledged} | {r.Lost} | {r.StoredDuplicates} | {r.Gaps} | {r.OutOfOrder} | {r.LiveDuplicates} / {r.LiveGaps} | {r.Unknown} ({r.UnknownLanded}) | {r.Unsettled} | {errors} | {ChaosRun.Format(r.EverySendingAfterSeconds)} | {resumed} | {Latency(r.Before)} | {Latency(r.During)} | {Latency(r.After)} |");
        }

        text.AppendLine();
        foreach (var r in results)
        {
            var notes = new List<string>(r.Notes);
            if (r.NotRunReason is { } reason)
            {
                notes.Insert(0, $"not run: {reason}");
            }

            if (r.MaxStorageRefusalSeconds is { } refusal)
            {
                notes.Add($"slowest storage_unavailable {refusal:0.00} s; acknowledged while PostgreSQL was down: {r.AckedWhileDown}");
            }

            if (r.UsersShownOffline != 0)
            {
                notes.Add($"**{r.UsersShownOffline} connected users still shown offline** to members of their channels");
            }

            if (!r.MetFailoverTarget)
            {
                notes.Add($"**every channel sent again after {ChaosRun.Format(r.EverySendingAfterSeconds)}, beyond the target of {r.SendsAgainTargetSeconds} s**");
            }

            if (r.SeqHoles != 0)
            {
                notes.Add($"{r.SeqHoles} seqs missing in PostgreSQL between 1 and the highest stored");
            }

            notes.Add($"{r.Reconnects} reconnects; {r.DurationSeconds:0.#} s");
            text.AppendLine(CultureInfo.InvariantCulture, $"- **{r.Name}** ({r.Description}): {string.Join("; ", notes)}.");
        }

        return text.ToString();
    }

    /// <summary>0 only when every scenario ran and kept every asserted figure at zero.</summary>
    public static int ExitCode(IReadOnlyList<ScenarioResult> results) => results.Count > 0 && results.All(r => r.Passed) ? 0 : 1;

    public static async Task WriteAsync(string directory, IReadOnlyList<ScenarioResult> results, string markdown)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "result.md"), markdown);
        await File.WriteAllTextAsync(Path.Combine(directory, "result.json"), JsonSerializer.Serialize(new { results, passed = results.All(r => r.Passed) }, Json));
    }

    private static string Latency(LatencySummary latency) =>
        latency.Count == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{latency.P50:0.#} / {latency.P99:0.#}");
}
