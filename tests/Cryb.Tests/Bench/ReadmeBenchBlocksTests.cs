using Cryb.Bench.Reporting;

namespace Cryb.Tests.Bench;

/// <summary>
/// The README's bench tables are made by the tool from committed results (`./cryb bench readme`),
/// never typed: each block must be exactly what its docs/bench/NAME/result.json gives.
/// </summary>
public sealed class ReadmeBenchBlocksTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(BuildOutput.RepositoryRoot, "README.md"));

    public static TheoryData<string> Blocks => [.. ReadmeBlocks.Names(Readme)];

    [Fact]
    public void The_readme_has_bench_blocks() => Assert.NotEmpty(ReadmeBlocks.Names(Readme));

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Each_block_is_what_the_tool_makes_from_its_committed_result(string name)
    {
        var path = Path.Combine(BuildOutput.RepositoryRoot, ReadmeBlocks.ResultPath(name));
        Assert.True(File.Exists(path), $"README block {name} has no committed result at {ReadmeBlocks.ResultPath(name)}");

        var expected = $"<!-- bench:{name}:begin -->\n{ReadmeBlocks.Render(name, BuildOutput.RepositoryRoot)}<!-- bench:{name}:end -->";

        Assert.True(Readme.Contains(expected, StringComparison.Ordinal), $"README block {name} differs from its result: run ./cryb bench readme");
    }

    [Fact]
    public void Regenerating_replaces_a_stale_block_and_leaves_the_rest()
    {
        var name = ReadmeBlocks.Names(Readme)[0];
        var fresh = ReadmeBlocks.Render(name, BuildOutput.RepositoryRoot);
        var stale = $"before\n<!-- bench:{name}:begin -->\n| typed by hand |\n<!-- bench:{name}:end -->\nafter\n";

        var regenerated = ReadmeBlocks.Regenerate(stale, _ => fresh);

        Assert.Equal($"before\n<!-- bench:{name}:begin -->\n{fresh}<!-- bench:{name}:end -->\nafter\n", regenerated);
    }
}
