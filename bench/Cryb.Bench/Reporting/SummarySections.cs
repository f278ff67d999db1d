using Cryb.Bench.Measurement;
using Cryb.Bench.Load;

namespace Cryb.Bench.Reporting;

/// <summary>Tables more than one scenario's summary shows.</summary>
public static class SummarySections
{
    /// <summary>The cumulative delivery check; a system that does not promise order gets its reorderings counted but marked as such.</summary>
    public static void Correctness(MarkdownWriter markdown, CorrectnessReport report, BenchSystem system)
    {
        var unordered = !system.PromisesOrder();
        markdown.Heading("Correctness (after the last drain)", 3).Table(
            ["acknowledged", "expected deliveries", "delivered", "lost deliveries", "lost messages", "duplicates", unordered ? "out of order (not promised)" : "out of order", "unacknowledged deliveries", "disconnected members"],
            [[report.Acknowledged, report.ExpectedDeliveries, report.DeliveredAcknowledged, report.LostDeliveries, report.LostMessages,
              report.Duplicates, report.OutOfOrder, report.UnacknowledgedDeliveries, report.DisconnectedReceivers]]);
    }

    /// <summary>Errors by code, with the first messages of each when they were kept.</summary>
    public static void Errors(
        MarkdownWriter markdown, IReadOnlyDictionary<string, long> errors, string title = "Errors by code",
        IReadOnlyDictionary<string, IReadOnlyList<string>>? examples = null)
    {
        if (errors.Count == 0)
        {
            return;
        }

        markdown.Heading(title, 3);
        if (examples is null || examples.Count == 0)
        {
            markdown.Table(["code", "count"], errors.Select(pair => (IReadOnlyList<object?>)[pair.Key, pair.Value]));
            return;
        }

        markdown.Table(["code", "count", "first messages"], errors.Select(pair => (IReadOnlyList<object?>)
        [
            pair.Key, pair.Value,
            examples.TryGetValue(pair.Key, out var messages) ? string.Join(" / ", messages.Select(message => $"`{message.ReplaceLineEndings(" ").Replace('`', '\'')}`")) : "",
        ]));
    }

    /// <summary>CPU of each process per labelled window: cores busy on average, and CPU seconds per 1,000 units when units were counted.</summary>
    public static void Cpu(MarkdownWriter markdown, IReadOnlyList<(string Label, CpuReport Report)> windows)
    {
        if (windows.Count == 0)
        {
            return;
        }

        var perUnit = windows.Any(window => window.Report.Units > 0);
        markdown.Heading(perUnit ? $"CPU (cores busy · CPU seconds per 1,000 {windows[0].Report.Unit})" : "CPU (cores busy)", 3);
        string Cell(double cores, double? perThousand) =>
            perUnit ? $"{MarkdownWriter.Number(cores, 2)} · {(perThousand is { } value ? MarkdownWriter.Number(value, 3) : "-")}" : MarkdownWriter.Number(cores, 2);

        var names = windows[0].Report.Processes.Select(process => process.Name).ToArray();
        var rows = names.Select(name => (IReadOnlyList<object?>)
        [
            name,
            .. windows.Select(window => window.Report.Processes.First(p => p.Name == name)).Select(process => Cell(process.Cores, process.PerThousand)),
        ]).ToList();
        rows.Add(["total", .. windows.Select(window => Cell(window.Report.Processes.Sum(p => p.Cores), window.Report.TotalPerThousand))]);
        rows.Add(["generator share of the machine", .. windows.Select(window => $"{window.Report.GeneratorShare:P0} of {window.Report.ProcessorCount} cores")]);
        markdown.Table(["process", .. windows.Select(window => window.Label)], rows);
    }
}
