using Cryb.Chaos.Faults;

namespace Cryb.Tests.Chaos;

/// <summary>
/// `./cryb help`, the README and docs/reliability.md say how many faults `--short` runs (the run in
/// `./cryb test`); they once said four while it ran five. The number comes from the catalog, in
/// words as the docs write it, the short faults must be the catalog's first ones, as "the first N"
/// promises, and the pages name each of them where they give the number.
/// </summary>
public sealed class ShortSuiteDocsTests
{
    private static readonly string[] Words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

    private static int ShortCount => FaultCatalog.All.Count(fault => fault.InShortSuite);

    [Fact]
    public void The_short_faults_are_the_first_of_the_catalog() =>
        Assert.All(FaultCatalog.All.Take(ShortCount), fault => Assert.True(fault.InShortSuite, $"{fault.Name} is among the first {ShortCount} but not in --short"));

    [Theory]
    [InlineData("README.md", "the first {0} faults, short phases")]
    [InlineData("docs/reliability.md", "the first {0} faults, short phases")]
    [InlineData("cryb", "--short runs the first {0} faults")]
    public void The_docs_give_the_number_of_short_faults(string file, string phrase)
    {
        var text = File.ReadAllText(Path.Combine(BuildOutput.RepositoryRoot, file));

        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, phrase, Words[ShortCount]), text);
    }

    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/reliability.md")]
    [InlineData("docs/architecture.md")]
    public void The_pages_name_each_short_fault_where_they_give_the_number(string page)
    {
        var text = File.ReadAllText(Path.Combine(BuildOutput.RepositoryRoot, page));
        var phrase = $"the first {Words[ShortCount]} faults";
        var paragraphs = text.Split("\n\n").Where(paragraph => paragraph.Contains(phrase, StringComparison.Ordinal) && !paragraph.StartsWith("```", StringComparison.Ordinal)).ToArray();

        Assert.NotEmpty(paragraphs);
        Assert.All(paragraphs, paragraph => Assert.All(
            FaultCatalog.All.Where(fault => fault.InShortSuite),
            fault => Assert.Contains($"`{fault.Name}`", paragraph, StringComparison.Ordinal)));
    }
}
