using System.Globalization;
using System.Net;
using System.Text;

namespace Cryb.Bench.Reporting;

/// <summary>
/// Draws a <see cref="PlotSpec"/> as a self-contained SVG (no fonts or scripts to fetch): axes
/// from zero with round tick values, one polyline with point markers per series, a legend.
/// </summary>
public static class SvgPlot
{
    private const int Width = 760;
    private const int Height = 440;
    private const int Left = 80;
    private const int Right = 170;
    private const int Top = 40;
    private const int Bottom = 60;
    private const int Ticks = 5;

    // Eight: a soak draws every cluster process and the generator, seven lines that must not share a colour.
    private static readonly string[] Colors = ["#1f77b4", "#ff7f0e", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

    public static string Render(PlotSpec plot)
    {
        var points = plot.Series.SelectMany(series => series.Points).ToArray();
        // A little room on the right, so the last point is not drawn on the frame.
        var xMax = NiceCeiling(points.Length == 0 ? 1 : points.Max(p => p.X) * 1.05);
        var yMax = NiceCeiling(points.Length == 0 ? 1 : points.Max(p => p.Y));
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double X(double x) => Left + x / xMax * plotWidth;
        double Y(double y) => Top + plotHeight - y / yMax * plotHeight;

        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append(Invariant($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n"));
        svg.Append(Invariant($"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Escape(plot.Title)}</text>\n"));

        for (var i = 0; i <= Ticks; i++)
        {
            var xValue = xMax * i / Ticks;
            var yValue = yMax * i / Ticks;
            svg.Append(Invariant($"<line x1=\"{X(xValue):0.#}\" y1=\"{Top}\" x2=\"{X(xValue):0.#}\" y2=\"{Top + plotHeight}\" stroke=\"#e5e5e5\"/>\n"));
            svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{Y(yValue):0.#}\" x2=\"{Left + plotWidth}\" y2=\"{Y(yValue):0.#}\" stroke=\"#e5e5e5\"/>\n"));
            svg.Append(Invariant($"<text x=\"{X(xValue):0.#}\" y=\"{Top + plotHeight + 18}\" text-anchor=\"middle\">{Label(xValue)}</text>\n"));
            svg.Append(Invariant($"<text x=\"{Left - 8}\" y=\"{Y(yValue) + 4:0.#}\" text-anchor=\"end\">{Label(yValue)}</text>\n"));
        }

        svg.Append(Invariant($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"none\" stroke=\"#333\"/>\n"));
        svg.Append(Invariant($"<text x=\"{Left + plotWidth / 2}\" y=\"{Height - 18}\" text-anchor=\"middle\">{Escape(plot.XLabel)}</text>\n"));
        svg.Append(Invariant($"<text transform=\"translate(20 {Top + plotHeight / 2}) rotate(-90)\" text-anchor=\"middle\">{Escape(plot.YLabel)}</text>\n"));

        for (var s = 0; s < plot.Series.Count; s++)
        {
            var series = plot.Series[s];
            var color = Colors[s % Colors.Length];
            var path = string.Join(" ", series.Points.Select(p => Invariant($"{X(p.X):0.#},{Y(p.Y):0.#}")));
            if (series.Points.Count > 1)
            {
                svg.Append(Invariant($"<polyline points=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>\n"));
            }

            foreach (var (x, y) in series.Points)
            {
                svg.Append(Invariant($"<circle cx=\"{X(x):0.#}\" cy=\"{Y(y):0.#}\" r=\"3.5\" fill=\"{color}\"><title>{Escape(series.Name)}: {Label(y)} at {Label(x)}</title></circle>\n"));
            }

            var legendY = Top + 10 + s * 20;
            svg.Append(Invariant($"<line x1=\"{Left + plotWidth + 15}\" y1=\"{legendY}\" x2=\"{Left + plotWidth + 35}\" y2=\"{legendY}\" stroke=\"{color}\" stroke-width=\"2\"/>\n"));
            svg.Append(Invariant($"<text x=\"{Left + plotWidth + 42}\" y=\"{legendY + 4}\">{Escape(series.Name)}</text>\n"));
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>The smallest 1, 2, 2.5 or 5 times a power of ten, times the tick count, that is at least <paramref name="value"/>.</summary>
    public static double NiceCeiling(double value)
    {
        if (value <= 0 || double.IsNaN(value))
        {
            return 1;
        }

        var step = value / Ticks;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(step)));
        foreach (var factor in new[] { 1.0, 2.0, 2.5, 5.0, 10.0 })
        {
            if (factor * magnitude >= step * (1 - 1e-12))
            {
                return factor * magnitude * Ticks;
            }
        }

        return 10 * magnitude * Ticks;
    }

    private static string Label(double value) => value.ToString(value >= 100 ? "#,0" : "0.##", CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
