namespace Cryb.Bench.Reporting;

/// <summary>A line chart: named series of (x, y) points over two labelled axes.</summary>
public sealed record PlotSpec(string Title, string XLabel, string YLabel, IReadOnlyList<PlotSeries> Series);

public sealed record PlotSeries(string Name, IReadOnlyList<(double X, double Y)> Points);
