namespace Cryb.Tests.Docs;

/// <summary>
/// The README sends readers to docs/, and the pages send them to each other, to the committed
/// results and to the code: every relative link must name a file that exists, and every
/// <c>#anchor</c> into a markdown page a heading it has. Moving a section breaks such links silently.
/// </summary>
public sealed class DocsLinksTests
{
    public static TheoryData<string> Pages => [.. MarkdownPages.All(BuildOutput.RepositoryRoot)];

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_relative_link_resolves_to_a_file_and_a_heading(string page)
    {
        Assert.NotEmpty(MarkdownPages.LinkTargets(MarkdownPages.Text(BuildOutput.RepositoryRoot, page)));

        var broken = MarkdownPages.BrokenLinks(BuildOutput.RepositoryRoot, page);

        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    [Fact]
    public void The_readme_links_to_every_page_under_docs()
    {
        var linked = MarkdownPages.LinkTargets(MarkdownPages.Text(BuildOutput.RepositoryRoot, "README.md"))
            .Select(target => target.Split('#')[0])
            .ToHashSet(StringComparer.Ordinal);

        Assert.All(MarkdownPages.All(BuildOutput.RepositoryRoot).Where(page => page != "README.md"), page => Assert.Contains(page, linked));
    }

    [Fact]
    public void A_missing_file_a_missing_heading_and_a_link_in_a_code_block_are_told_apart()
    {
        var root = Directory.CreateTempSubdirectory("cryb-docs-links-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "docs"));
            File.WriteAllText(Path.Combine(root, "docs", "page.md"), "# Page\n\n## Keeping a client in sync\n");
            File.WriteAllText(Path.Combine(root, "README.md"), string.Join("\n",
                "[ok](docs/page.md#keeping-a-client-in-sync) [self](#readme) [web](https://example.com/x)",
                "[gone](docs/gone.md) [no heading](docs/page.md#sync)",
                "```md",
                "[shown, not linked](docs/nowhere.md)",
                "```",
                "# Readme"));

            var broken = MarkdownPages.BrokenLinks(root, "README.md");

            Assert.Equal(2, broken.Count);
            Assert.Contains("docs/gone.md", broken[0], StringComparison.Ordinal);
            Assert.Contains("#sync", broken[1], StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("`./cryb` environment variables", "cryb-environment-variables")]
    [InlineData("Fan-out: 1,000 clients in 50 channels of 20", "fan-out-1000-clients-in-50-channels-of-20")]
    [InlineData("What is promised, and what is not", "what-is-promised-and-what-is-not")]
    [InlineData("One send, from the hub call to the delivered frame", "one-send-from-the-hub-call-to-the-delivered-frame")]
    public void Anchors_are_the_ids_GitHub_gives_headings(string heading, string anchor) =>
        Assert.Equal(anchor, MarkdownPages.Slug(heading));

    [Fact]
    public void A_repeated_heading_gets_a_numbered_anchor() =>
        Assert.Equal(["notes", "notes-1"], MarkdownPages.Anchors("## Notes\n\ntext\n\n### Notes\n").Order(StringComparer.Ordinal));
}
