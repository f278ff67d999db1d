using Cryb.Bench.Cli;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Bench;

/// <summary>bench/README.md documents what `--help` prints: every option, with the default the code uses.</summary>
public sealed class BenchReadmeTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(BuildOutput.RepositoryRoot, "bench", "README.md"));

    public static TheoryData<string> Scenarios => [.. ScenarioCatalog.All.Select(scenario => scenario.Name)];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Each_scenario_option_is_listed_with_its_default(string name)
    {
        var scenario = ScenarioCatalog.Find(name)!;
        var section = Section($"### `{name}`");
        var common = CommonOptions.Specs.Select(spec => spec.Name).ToHashSet();
        foreach (var option in scenario.Options.Where(option => !common.Contains(option.Name)))
        {
            Assert.Contains($"| `--{option.Name}` | {option.Default} |", section);
        }
    }

    [Fact]
    public void Each_common_option_is_listed()
    {
        var section = Section("## Options of every scenario");
        foreach (var spec in CommonOptions.Specs)
        {
            Assert.Contains($"| `--{spec.Name}` |", section);
        }
    }

    private static string Section(string heading)
    {
        var start = Readme.IndexOf(heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"bench/README.md has no section {heading}");
        var end = Readme.IndexOf("\n#", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? Readme[start..] : Readme[start..end];
    }
}
