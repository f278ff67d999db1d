using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Cryb.Bench.Cli;

/// <summary>
/// One <c>--name value</c> option of a settings record <typeparamref name="T"/>: how to read it,
/// how to show its default, and its help line. The same table makes the System.CommandLine
/// options (parsing, <c>--help</c>, errors) and the README's parameter lists, so they cannot drift apart.
/// </summary>
public sealed record OptionSpec<T>(string Name, string Help, Func<T, object?> Get, Func<T, ArgValue, T> Set, bool IsFlag = false, bool IsRequired = false)
{
    /// <summary>The default as the command line would write it.</summary>
    public string DefaultText(T defaults) => Format(Get(defaults));

    /// <summary>
    /// A new option for one command. Each occurrence takes one value and they apply in order, so
    /// a repeated option adds (<c>--process</c>) or the last one wins, as each spec's
    /// <see cref="Set"/> says. Every value is read at parse time: a bad one is a usage error,
    /// naming the option, before anything starts.
    /// </summary>
    public Option<string[]> CreateOption(T defaults)
    {
        var fallback = DefaultText(defaults);
        var option = new Option<string[]>($"--{Name}")
        {
            Description = fallback.Length > 0 && !IsRequired ? $"{Help} [default: {fallback}]" : Help,
            HelpName = "value",
            Arity = IsFlag ? ArgumentArity.Zero : ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
            Required = IsRequired,
        };
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                try
                {
                    Set(defaults, new ArgValue(Name, token.Value));
                }
                catch (UsageException ex)
                {
                    result.AddError(ex.Message);
                }
            }
        });
        return option;
    }

    /// <summary><paramref name="settings"/> with what the command line gave <paramref name="option"/>, if anything.</summary>
    public T Apply(T settings, SymbolResult command, Option<string[]> option) => command.GetResult(option) switch
    {
        null or { Implicit: true } => settings,
        { Tokens.Count: 0 } when IsFlag => Set(settings, new ArgValue(Name, "")),
        var given => given.Tokens.Aggregate(settings, (current, token) => Set(current, new ArgValue(Name, token.Value))),
    };

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

/// <summary>The options of one settings record as one command holds them.</summary>
public sealed class OptionTable<T>(T defaults, IEnumerable<OptionSpec<T>> specs)
{
    private readonly (OptionSpec<T> Spec, Option<string[]> Option)[] _options = [.. specs.Select(spec => (spec, spec.CreateOption(defaults)))];

    public T Defaults { get; } = defaults;

    public IEnumerable<OptionSpec<T>> Specs => _options.Select(pair => pair.Spec);

    public void AddTo(Command command)
    {
        foreach (var (_, option) in _options)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The defaults with every option the command line gave; throws <see cref="UsageException"/> on a bad value.</summary>
    public T Read(SymbolResult command) => _options.Aggregate(Defaults, (settings, pair) => pair.Spec.Apply(settings, command, pair.Option));
}
