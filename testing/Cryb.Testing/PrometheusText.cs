using System.Globalization;
using System.Text.RegularExpressions;

namespace Cryb.Testing;

/// <summary>Reads series out of a Prometheus text exposition, as a scraper would.</summary>
public static partial class PrometheusText
{
    /// <summary>The sum of every sample of <paramref name="metric"/> whose labels include all of <paramref name="labels"/>.</summary>
    public static double Sum(string exposition, string metric, params (string Name, string Value)[] labels) =>
        SamplePattern().Matches(exposition)
            .Where(match => match.Groups["name"].Value == metric)
            .Where(match => labels.All(label => match.Groups["labels"].Value.Contains($"{label.Name}=\"{label.Value}\"", StringComparison.Ordinal)))
            .Sum(match => double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture));

    public static async Task<string> ScrapeAsync(HttpClient http, string baseUrl) =>
        await http.GetStringAsync($"{baseUrl}/metrics");

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eE]+|NaN)", RegexOptions.Multiline)]
    private static partial Regex SamplePattern();
}
