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

    /// <summary>Seconds, fractions allowed.</summary>
    public TimeSpan Seconds(double min = 0) => TimeSpan.FromSeconds(Double(min));

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
