using System.Text.RegularExpressions;

namespace Cryb.Bench.Reporting;

/// <summary>
/// The README's tables of bench figures, generated from committed results: a block between
/// <c>&lt;!-- bench:NAME:begin --&gt;</c> and <c>&lt;!-- bench:NAME:end --&gt;</c> is made from
/// <c>docs/bench/NAME/result.json</c> (a comparison or a single message scenario), with the
/// command that produced the figures. <c>./cryb bench readme</c> rewrites them; a test fails when
/// one differs from what the committed result gives.
/// </summary>
public static partial class ReadmeBlocks
{
    /// <summary>Where results live, relative to the README.</summary>
    public const string ResultsDirectory = "docs/bench";

    /// <summary>The names of the blocks in <paramref name="readme"/>, in order.</summary>
    public static IReadOnlyList<string> Names(string readme) => [.. Block().Matches(readme).Select(match => match.Groups["name"].Value)];

    /// <summary>The path of block <paramref name="name"/>'s result, relative to the README.</summary>
    public static string ResultPath(string name) => $"{ResultsDirectory}/{name}/result.json";

    /// <summary><paramref name="readme"/> with every block made anew from <paramref name="load"/>(its result path).</summary>
    public static string Regenerate(string readme, Func<string, ComparisonResult> load) =>
        Block().Replace(readme, match =>
        {
            var name = match.Groups["name"].Value;
            return $"<!-- bench:{name}:begin -->\n{Render(name, load(ResultPath(name)))}<!-- bench:{name}:end -->";
        });

    /// <summary>What a block holds between its markers.</summary>
    public static string Render(string name, ComparisonResult result)
    {
        var markdown = new MarkdownWriter()
            .Line($"<!-- made by `./cryb bench readme` from {ResultPath(name)}: change that file, not this block -->")
            .Line($"`{result.Command}` ({result.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC, {result.ProcessorCount} cores; [result.json]({ResultPath(name)}))")
            .Blank();
        result.WriteTables(markdown);
        return markdown.ToString();
    }

    [GeneratedRegex(@"<!-- bench:(?<name>[a-z0-9][a-z0-9._-]*):begin -->.*?<!-- bench:\k<name>:end -->", RegexOptions.Singleline)]
    private static partial Regex Block();
}
