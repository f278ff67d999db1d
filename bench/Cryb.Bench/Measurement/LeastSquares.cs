namespace Cryb.Bench.Measurement;

/// <summary>Ordinary least squares fit of y = a + b·x, for memory per connection over several steps.</summary>
public static class LeastSquares
{
    /// <summary>The slope b; 0 with fewer than two distinct x.</summary>
    public static double Slope(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count < 2)
        {
            return 0;
        }

        double meanX = 0, meanY = 0;
        foreach (var (x, y) in points)
        {
            meanX += x;
            meanY += y;
        }

        meanX /= points.Count;
        meanY /= points.Count;
        double covariance = 0, variance = 0;
        foreach (var (x, y) in points)
        {
            covariance += (x - meanX) * (y - meanY);
            variance += (x - meanX) * (x - meanX);
        }

        return variance == 0 ? 0 : covariance / variance;
    }
}
