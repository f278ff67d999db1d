using System.Text;
using System.Text.RegularExpressions;

namespace Cryb.Tests.Docs;

/// <summary>
/// The README and the pages under <c>docs/</c> as a reader meets them: their links, the heading
/// anchors GitHub makes, and a section by its heading. Code blocks are left out, since what they
/// hold is shown, not linked.
/// </summary>
public static partial class MarkdownPages
{
    /// <summary>README.md and every docs/*.md, relative to the repository's root, with <c>/</c>.</summary>
    public static IReadOnlyList<string> All(string root) =>
        [
            "README.md",
            .. Directory.GetFiles(Path.Combine(root, "docs"), "*.md")
                .Select(path => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/'))
                .Order(StringComparer.Ordinal),
        ];

    public static string Text(string root, string page) => File.ReadAllText(Path.Combine(root, page));

    /// <summary>The targets of the page's links and images, as written, outside code blocks.</summary>
    public static IReadOnlyList<string> LinkTargets(string markdown) =>
        [.. Link().Matches(WithoutCodeBlocks(markdown)).Select(match => match.Groups["target"].Value)];

    /// <summary>
    /// What is wrong with each relative link of <paramref name="page"/> (a path under
    /// <paramref name="root"/>): a file that does not exist, or an anchor no heading of the target makes.
    /// </summary>
    public static IReadOnlyList<string> BrokenLinks(string root, string page)
    {
        var broken = new List<string>();
        var directory = Path.GetDirectoryName(Path.Combine(root, page))!;
        foreach (var target in LinkTargets(Text(root, page)).Where(target => !UriScheme().IsMatch(target)))
        {
            var hash = target.IndexOf('#', StringComparison.Ordinal);
            var path = hash < 0 ? target : target[..hash];
            var anchor = hash < 0 ? null : target[(hash + 1)..];
            var file = path.Length == 0 ? Path.Combine(root, page) : Path.GetFullPath(Path.Combine(directory, Uri.UnescapeDataString(path)));
            if (!File.Exists(file) && !Directory.Exists(file))
            {
                broken.Add($"{page}: ({target}) names {Path.GetRelativePath(root, file)}, which does not exist");
            }
            else if (anchor is not null && file.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllText(file)).Contains(anchor))
            {
                broken.Add($"{page}: ({target}) has no heading #{anchor} in {Path.GetRelativePath(root, file)}");
            }
        }

        return broken;
    }

    /// <summary>The ids GitHub gives the headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered.</summary>
    public static IReadOnlySet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Match heading in Heading().Matches(WithoutCodeBlocks(markdown)))
        {
            var slug = Slug(heading.Groups["title"].Value);
            var repeat = seen.GetValueOrDefault(slug);
            seen[slug] = repeat + 1;
            anchors.Add(repeat == 0 ? slug : $"{slug}-{repeat}");
        }

        return anchors;
    }

    public static string Slug(string heading)
    {
        var slug = new StringBuilder();
        foreach (var c in heading.Trim().ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                slug.Append(c);
            }
            else if (c == ' ')
            {
                slug.Append('-');
            }
        }

        return slug.ToString();
    }

    /// <summary>The text under the heading <paramref name="heading"/> (e.g. <c>## Host settings</c>) up to the next heading of its level or above.</summary>
    public static string Section(string markdown, string heading)
    {
        var start = markdown.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidDataException($"no section '{heading}'");
        }

        var level = heading.TakeWhile(c => c == '#').Count();
        var body = markdown[(start + heading.Length + 2)..];
        var next = Regex.Match(body, $"^#{{1,{level}}} ", RegexOptions.Multiline);
        return next.Success ? body[..next.Index] : body;
    }

    /// <summary>
    /// The backticked names in the first column of each row of the tables in <paramref name="markdown"/>,
    /// a continuation written as its last part alone (<c>`RateLimits__Messages__PerSecond`, `__Burst`</c>)
    /// completed from the name before it.
    /// </summary>
    public static IReadOnlyList<string> FirstColumnNames(string markdown) =>
        [.. markdown.Split('\n')
            .Where(line => line.StartsWith("| ", StringComparison.Ordinal))
            .Select(line => line.Split('|')[1])
            .SelectMany(NamesInCell)];

    private static IEnumerable<string> NamesInCell(string cell)
    {
        var previous = "";
        foreach (var name in Backticked().Matches(cell).Select(match => match.Groups[1].Value))
        {
            var last = previous.LastIndexOf("__", StringComparison.Ordinal);
            previous = name.StartsWith("__", StringComparison.Ordinal) && last > 0 ? previous[..last] + name : name;
            yield return previous;
        }
    }

    private static string WithoutCodeBlocks(string markdown) => CodeBlock().Replace(markdown, "");

    [GeneratedRegex(@"!?\[[^\]]*\]\((?<target>[^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^[a-z][a-z0-9+.-]*:", RegexOptions.IgnoreCase)]
    private static partial Regex UriScheme();

    [GeneratedRegex(@"^#{1,6} +(?<title>.+?) *$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"^ *```.*?^ *```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();
}
