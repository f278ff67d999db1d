using Cryb.Bench.Reporting;
using Cryb.Tests.Docs;

namespace Cryb.Tests.Bench;

/// <summary>
/// The bench tables of the docs (docs/performance.md) are made by the tool from committed results
/// (`./cryb bench readme`), never typed: each block must be exactly what its
/// docs/bench/NAME/result.json gives, its links working from the page it is on, and every page
/// that holds blocks must be one the tool rewrites.
/// </summary>
public sealed class ReadmeBenchBlocksTests
{

    public static TheoryData<string, string> Blocks =>
        [.. ReadmeBlocks.Documents.SelectMany(document => ReadmeBlocks.Names(Text(document)).Select(name => (document, name)))];

    [Fact]
    public void Every_document_the_tool_rewrites_has_bench_blocks() =>
        Assert.All(ReadmeBlocks.Documents, document => Assert.NotEmpty(ReadmeBlocks.Names(Text(document))));

    [Fact]
    public void The_performance_page_has_bench_blocks() => Assert.NotEmpty(ReadmeBlocks.Names(Text("docs/performance.md")));

    [Fact]
    public void Every_page_with_bench_blocks_is_one_the_tool_rewrites()
    {
        var pagesWithBlocks = MarkdownPages.All(BuildOutput.RepositoryRoot).Where(page => ReadmeBlocks.Names(Text(page)).Count > 0);

        Assert.All(pagesWithBlocks, page => Assert.Contains(page, ReadmeBlocks.Documents));
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Each_block_is_what_the_tool_makes_from_its_committed_result(string document, string name)
    {
        var path = Path.Combine(BuildOutput.RepositoryRoot, ReadmeBlocks.ResultPath(name));
        Assert.True(File.Exists(path), $"{document} block {name} has no committed result at {ReadmeBlocks.ResultPath(name)}");

        var expected = $"<!-- bench:{name}:begin -->\n{ReadmeBlocks.Render(name, BuildOutput.RepositoryRoot, ReadmeBlocks.LinkBase(document))}<!-- bench:{name}:end -->";

        Assert.True(Text(document).Contains(expected, StringComparison.Ordinal), $"{document} block {name} differs from its result: run ./cryb bench readme");
    }

    [Fact]
    public void A_page_under_docs_links_to_results_from_its_own_folder()
    {
        Assert.Equal("", ReadmeBlocks.LinkBase("README.md"));
        Assert.Equal("../", ReadmeBlocks.LinkBase("docs/performance.md"));
    }

    [Fact]
    public void Regenerating_replaces_a_stale_block_and_leaves_the_rest()
    {
        var name = ReadmeBlocks.Names(Text("docs/performance.md"))[0];
        var fresh = ReadmeBlocks.Render(name, BuildOutput.RepositoryRoot);
        var stale = $"before\n<!-- bench:{name}:begin -->\n| typed by hand |\n<!-- bench:{name}:end -->\nafter\n";

        var regenerated = ReadmeBlocks.Regenerate(stale, _ => fresh);

        Assert.Equal($"before\n<!-- bench:{name}:begin -->\n{fresh}<!-- bench:{name}:end -->\nafter\n", regenerated);
    }

    private static string Text(string document) => File.ReadAllText(Path.Combine(BuildOutput.RepositoryRoot, document));
}
