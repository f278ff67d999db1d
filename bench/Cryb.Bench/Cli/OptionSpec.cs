using System.Globalization;

namespace Cryb.Bench.Cli;

/// <summary>
/// One <c>--name value</c> option of a settings record <typeparamref name="T"/>: how to read it,
/// how to show its default, and its help line. The same table drives parsing, <c>--help</c> and
/// the README's parameter lists, so they cannot drift apart.
/// </summary>
public sealed record OptionSpec<T>(string Name, string Help, Func<T, object?> Get, Func<T, ArgValue, T> Set, bool IsFlag = false)
{
    /// <summary>The default as the command line would write it.</summary>
    public string DefaultText(T defaults) => Format(Get(defaults));

    private static string Format(object? value) => value switch
    {
        null => "",
        TimeSpan span => span.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        bool flag => flag ? "on" : "off",
        string text => text,
        System.Collections.IEnumerable list => string.Join(",", list.Cast<object?>().Select(Format)),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture).ToLowerInvariant(),
        _ => value.ToString() ?? "",
    };
}
