using System.Globalization;

namespace Cryb.Bench.Cli;

/// <summary>One option's text from the command line, read as the type the option wants; bad text names the option.</summary>
public readonly record struct ArgValue(string Option, string Text)
{
    public int Int(int min = 0) =>
        int.TryParse(Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw Bad($"a whole number of at least {min}");

    public double Double(double min = 0) =>
        double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw Bad($"a number of at least {min.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>
    /// Seconds, fractions allowed, or a number with a unit: <c>90s</c>, <c>30m</c>, <c>1.5h</c>, so
    /// a long run reads as it is meant (<c>--duration 30m</c>).
    /// </summary>
    public TimeSpan Seconds(double min = 0)
    {
        var text = Text.Trim();
        var unit = text.Length > 0 ? char.ToLowerInvariant(text[^1]) : ' ';
        var perUnit = unit switch { 's' => 1, 'm' => 60, 'h' => 3600, _ => 0 };
        var number = perUnit == 0 ? text : text[..^1];
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value * Math.Max(perUnit, 1) >= min
            ? TimeSpan.FromSeconds(value * Math.Max(perUnit, 1))
            : throw Bad($"seconds (or a number with s, m or h, as 90s or 30m) of at least {min.ToString(CultureInfo.InvariantCulture)} s");
    }

    public IReadOnlyList<int> IntList()
    {
        var option = Option;
        return Text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => new ArgValue(option, part).Int())
            .ToArray() is { Length: > 0 } list ? list : throw Bad("a comma-separated list of whole numbers");
    }

    public IReadOnlyList<string> TextList() =>
        Text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } list
            ? list
            : throw Bad("a comma-separated list");

    public T Enum<T>() where T : struct, Enum =>
        System.Enum.TryParse<T>(Text, ignoreCase: true, out var value) && System.Enum.IsDefined(value)
            ? value
            : throw Bad(string.Join(" or ", System.Enum.GetNames<T>().Select(name => name.ToLowerInvariant())));

    private UsageException Bad(string wanted) => new($"--{Option} wants {wanted}, got '{Text}'.");
}

/// <summary>A command line the bench cannot run; the message says what to fix.</summary>
public sealed class UsageException(string message) : Exception(message);
