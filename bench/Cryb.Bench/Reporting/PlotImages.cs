using ScottPlot;

namespace Cryb.Bench.Reporting;

/// <summary>
/// Draws a <see cref="PlotSpec"/> with ScottPlot and writes it twice: <c>NAME.svg</c>, which the
/// docs link and a browser scales, and <c>NAME.png</c>, which any viewer and Markdown preview shows.
/// </summary>
public static class PlotImages
{
    private const int Width = 760;
    private const int Height = 440;

    // ScottPlot's own sans-serif pick (Fonts.Sans) is DejaVu Serif on Debian; the first of these
    // installed (Linux, macOS, Windows) draws every text instead, or ScottPlot's pick when none is.
    private static readonly string? SansFont = new[] { "DejaVu Sans", "Liberation Sans", "Helvetica", "Arial" }
        .FirstOrDefault(name => Fonts.GetTypeface(name, bold: false, italic: false)?.FamilyName == name);

    /// <summary>The files <see cref="Write"/> makes for a chart named <paramref name="name"/>.</summary>
    public static IReadOnlyList<string> FileNames(string name) => [$"{name}.svg", $"{name}.png"];

    public static void Write(PlotSpec spec, string directory, string name)
    {
        using var plot = Draw(spec);
        plot.SaveSvg(Path.Combine(directory, $"{name}.svg"), Width, Height);
        plot.SavePng(Path.Combine(directory, $"{name}.png"), Width, Height);
    }

    /// <summary>One line with point markers per series, a legend beside the data, both axes from zero.</summary>
    public static Plot Draw(PlotSpec spec)
    {
        var plot = new Plot();
        if (SansFont is not null)
        {
            plot.Font.Set(SansFont);
        }

        plot.Title(spec.Title);
        plot.XLabel(spec.XLabel);
        plot.YLabel(spec.YLabel);
        foreach (var series in spec.Series.Where(series => series.Points.Count > 0))
        {
            var line = plot.Add.Scatter(series.Points.Select(p => p.X).ToArray(), series.Points.Select(p => p.Y).ToArray());
            line.LegendText = series.Name;
            line.LineWidth = 2;
            line.MarkerSize = 7;
        }

        if (spec.Series.Any(series => series.Points.Count > 0))
        {
            plot.ShowLegend(Edge.Right);
        }

        // From zero: a latency or a memory figure reads against nothing, not against the smallest
        // one measured (a ramp's p99 from 9 to 12 ms would otherwise look like a cliff). A little
        // room above and to the right, so the last point is not drawn on the frame.
        var points = spec.Series.SelectMany(series => series.Points).ToArray();
        plot.Axes.SetLimits(0, Room(points.Select(p => p.X), 1.05), 0, Room(points.Select(p => p.Y), 1.1));
        return plot;
    }

    private static double Room(IEnumerable<double> values, double factor) => values.DefaultIfEmpty(0).Max() is var max and > 0 ? max * factor : 1;
}
