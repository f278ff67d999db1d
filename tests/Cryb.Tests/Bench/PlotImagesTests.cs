using System.Buffers.Binary;
using System.Xml.Linq;
using Cryb.Bench.Reporting;

namespace Cryb.Tests.Bench;

/// <summary>The charts a run writes beside result.json: ScottPlot's PNG and SVG of a <see cref="PlotSpec"/>.</summary>
public sealed class PlotImagesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cryb-plot-").FullName;

    private static readonly PlotSpec Latency = new(
        "ramp: latency against offered load", "offered sends/s", "latency (ms)",
        [
            new PlotSeries("e2e p99 <&>", [(100, 9.5), (200, 11), (400, 14.2), (800, 95)]),
            new PlotSeries("ack p99", [(100, 3), (200, 3.5), (400, 5), (800, 40)]),
            new PlotSeries("nothing measured", []),
        ]);

    [Fact]
    public void A_chart_is_written_as_a_png_of_the_set_size_and_an_svg_with_its_text()
    {
        PlotImages.Write(Latency, _directory, "plot");

        Assert.Equal(["plot.svg", "plot.png"], PlotImages.FileNames("plot"));
        var png = File.ReadAllBytes(Path.Combine(_directory, "plot.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
        // The IHDR chunk follows the signature: width and height, big-endian.
        Assert.Equal(760, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
        Assert.Equal(440, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
        // A blank 760x440 canvas compresses to a few hundred bytes; lines, markers and text do not.
        Assert.True(png.Length > 10_000, $"plot.png is only {png.Length} bytes");

        var svg = XDocument.Load(Path.Combine(_directory, "plot.svg"));
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        var text = svg.Root.Value;
        Assert.Contains("ramp: latency against offered load", text);
        Assert.Contains("e2e p99 <&>", text);
        Assert.Contains("offered sends/s", text);
        Assert.True(svg.Descendants().Count() > 50, "the SVG holds hardly any elements");
    }

    [Fact]
    public void Both_axes_start_at_zero()
    {
        using var plot = PlotImages.Draw(Latency);

        var limits = plot.Axes.GetLimits();
        Assert.Equal(0, limits.Left);
        Assert.Equal(0, limits.Bottom);
        Assert.True(limits.Right >= 800 && limits.Top >= 95, $"the data does not fit: {limits}");
    }

    [Fact]
    public void A_chart_without_points_still_draws()
    {
        PlotImages.Write(new PlotSpec("idle", "connections", "MB", []), _directory, "empty");

        Assert.True(new FileInfo(Path.Combine(_directory, "empty.png")).Length > 0);
        Assert.Equal("svg", XDocument.Load(Path.Combine(_directory, "empty.svg")).Root!.Name.LocalName);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
