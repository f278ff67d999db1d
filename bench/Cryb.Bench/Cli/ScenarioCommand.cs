using Cryb.Bench.Reporting;

namespace Cryb.Bench.Cli;

/// <summary>A scenario as the command line sees it: its name, its options, and how to run it.</summary>
public interface IScenarioCommand
{
    string Name { get; }

    string Summary { get; }

    /// <summary>Name, default and help of each option, scenario options first.</summary>
    IReadOnlyList<(string Name, string Default, string Help, bool IsFlag)> Options { get; }

    /// <summary>Reads the options after the scenario name; throws <see cref="UsageException"/> on bad ones.</summary>
    (BenchContext Context, Func<BenchContext, CancellationToken, Task<ScenarioResult>> Run) Parse(IReadOnlyList<string> arguments);
}

/// <summary>An <see cref="IScenarioCommand"/> over a settings record and its option table.</summary>
public sealed class ScenarioCommand<TOptions>(
    string name, string summary, TOptions defaults, IReadOnlyList<OptionSpec<TOptions>> specs,
    Func<BenchContext, TOptions, CancellationToken, Task<ScenarioResult>> run) : IScenarioCommand
{
    private static readonly BenchContext DefaultContext = new();

    public string Name { get; } = name;

    public string Summary { get; } = summary;

    public IReadOnlyList<(string Name, string Default, string Help, bool IsFlag)> Options { get; } =
    [
        .. specs.Select(spec => (spec.Name, spec.DefaultText(defaults), spec.Help, spec.IsFlag)),
        .. CommonOptions.Specs.Select(spec => (spec.Name, spec.DefaultText(DefaultContext), spec.Help, spec.IsFlag)),
    ];

    public (BenchContext Context, Func<BenchContext, CancellationToken, Task<ScenarioResult>> Run) Parse(IReadOnlyList<string> arguments)
    {
        var context = DefaultContext;
        var options = defaults;
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (!argument.StartsWith("--", StringComparison.Ordinal) || argument.Length == 2)
            {
                throw new UsageException($"Unexpected '{argument}': options look like --name value.");
            }

            var optionName = argument[2..];
            string? inline = null;
            if (optionName.IndexOf('=') is var equals and > 0)
            {
                inline = optionName[(equals + 1)..];
                optionName = optionName[..equals];
            }

            string Value(bool isFlag) =>
                isFlag ? "" : inline ?? (i + 1 < arguments.Count ? arguments[++i] : throw new UsageException($"--{optionName} needs a value."));

            if (CommonOptions.Specs.FirstOrDefault(spec => spec.Name == optionName) is { } common)
            {
                context = common.Set(context, new ArgValue(optionName, Value(common.IsFlag)));
            }
            else if (specs.FirstOrDefault(spec => spec.Name == optionName) is { } own)
            {
                options = own.Set(options, new ArgValue(optionName, Value(own.IsFlag)));
            }
            else
            {
                throw new UsageException($"{Name} has no option --{optionName}; `{Name} --help` lists them.");
            }
        }

        if (context.Gateways.Count == 0)
        {
            throw new UsageException("--gateways is required, for example --gateways http://127.0.0.1:5080,http://127.0.0.1:5081");
        }

        foreach (var gateway in context.Gateways)
        {
            if (!Uri.TryCreate(gateway, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new UsageException($"--gateways wants http(s) URLs, got '{gateway}'.");
            }
        }

        if (context.Contradiction() is { } contradiction)
        {
            throw new UsageException(contradiction);
        }

        var chosen = options;
        return (context, (ctx, cancellation) => run(ctx, chosen, cancellation));
    }
}
