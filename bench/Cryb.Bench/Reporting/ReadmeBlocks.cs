using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cryb.Bench.Reporting;

/// <summary>
/// The README's tables of bench figures, generated from committed results: a block between
/// <c>&lt;!-- bench:NAME:begin --&gt;</c> and <c>&lt;!-- bench:NAME:end --&gt;</c> is made from
/// <c>docs/bench/NAME/result.json</c> (a comparison or a single message scenario), with the
/// command that produced the figures; a scenario that is neither (idle, connect) brings the tables
/// of the <c>summary.md</c> the tool wrote beside it. <c>./cryb bench readme</c> rewrites them; a
/// test fails when one differs from what the committed result gives.
/// </summary>
public static partial class ReadmeBlocks
{
    /// <summary>Where results live, relative to the README.</summary>
    public const string ResultsDirectory = "docs/bench";

    private static readonly string[] MessageScenarios = ["fanout", "ramp", "hot-channel"];

    /// <summary>The names of the blocks in <paramref name="readme"/>, in order.</summary>
    public static IReadOnlyList<string> Names(string readme) => [.. Block().Matches(readme).Select(match => match.Groups["name"].Value)];

    /// <summary>The path of block <paramref name="name"/>'s result, relative to the README.</summary>
    public static string ResultPath(string name) => $"{ResultsDirectory}/{name}/result.json";

    /// <summary><paramref name="readme"/> with every block's content made anew by <paramref name="render"/>(its name).</summary>
    public static string Regenerate(string readme, Func<string, string> render) =>
        Block().Replace(readme, match =>
        {
            var name = match.Groups["name"].Value;
            return $"<!-- bench:{name}:begin -->\n{render(name)}<!-- bench:{name}:end -->";
        });

    /// <summary>
    /// The documents that hold blocks, relative to the repository's root: the pages under
    /// <c>docs/</c> that show figures (the README links to them and holds none).
    /// </summary>
    public static IReadOnlyList<string> Documents { get; } = ["docs/performance.md"];

    /// <summary>How a document at <paramref name="document"/> (relative to the root) links to a file relative to the root.</summary>
    public static string LinkBase(string document) =>
        string.Concat(Enumerable.Repeat("../", document.Count(c => c == '/')));

    /// <summary>
    /// What block <paramref name="name"/> holds, from its committed result under <paramref name="root"/>
    /// (the repository's root), its links made from a document that reaches the root by <paramref name="linkBase"/>.
    /// </summary>
    public static string Render(string name, string root, string linkBase = "")
    {
        var path = Path.Combine(root, ResultPath(name));
        var json = JsonNode.Parse(File.ReadAllText(path))
            ?? throw new InvalidDataException($"{path} is empty.");
        var scenario = json["run"]?["scenario"]?.GetValue<string>();
        return json["systems"] is not null || MessageScenarios.Contains(scenario)
            ? Render(name, ComparisonResult.Load(path), linkBase)
            : RenderSummary(name, json, File.ReadAllLines(Path.Combine(Path.GetDirectoryName(path)!, "summary.md")), linkBase);
    }

    /// <summary>What a block holds between its markers, for a comparison or a message scenario.</summary>
    public static string Render(string name, ComparisonResult result, string linkBase = "")
    {
        var markdown = Header(name, result.Command, result.StartedAt, result.ProcessorCount, linkBase);
        result.WriteTables(markdown);
        return markdown.ToString();
    }

    /// <summary>
    /// A block for a scenario that has no comparison tables: the tables of its <c>summary.md</c>
    /// (everything from the first sub-heading), which the tool wrote in the same run.
    /// </summary>
    private static string RenderSummary(string name, JsonNode result, IReadOnlyList<string> summary, string linkBase)
    {
        var run = result["run"] ?? throw new InvalidDataException($"{ResultPath(name)} has no run.");
        var command = result["invocation"]?.GetValue<string>() ?? result["commandLine"]?.GetValue<string>() ?? "";
        var markdown = Header(name, command, run["startedAt"]!.GetValue<DateTimeOffset>(), run["processorCount"]!.GetValue<int>(), linkBase);
        foreach (var line in summary.SkipWhile(line => !line.StartsWith("### ", StringComparison.Ordinal)))
        {
            markdown.Line(line.StartsWith("### ", StringComparison.Ordinal) ? $"**{line[4..]}**" : line);
        }

        return markdown.ToString();
    }

    private static MarkdownWriter Header(string name, string command, DateTimeOffset startedAt, int processorCount, string linkBase) => new MarkdownWriter()
        .Line($"<!-- made by `./cryb bench readme` from {ResultPath(name)}: change that file, not this block -->")
        .Line($"`{command}` ({startedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC, {processorCount} cores; [result.json]({linkBase}{ResultPath(name)}))")
        .Blank();

    [GeneratedRegex(@"<!-- bench:(?<name>[a-z0-9][a-z0-9._-]*):begin -->.*?<!-- bench:\k<name>:end -->", RegexOptions.Singleline)]
    private static partial Regex Block();
}
