using System.Reflection;
using System.Text.RegularExpressions;
using Cryb.Guilds;

namespace Cryb.Tests.Docs;

/// <summary>
/// docs/servers.md and the protocol page's "Servers" list every permission with its bit and value, and
/// the default of <c>@everyone</c>: client and bot authors copy those numbers, so they must be the ones
/// the grains use.
/// </summary>
public sealed partial class PermissionTableTests
{
    private static string Page => Text("docs/servers.md");

    private static string Text(string page) => MarkdownPages.Text(BuildOutput.RepositoryRoot, page);

    /// <summary>Every single-bit constant of <see cref="Permission"/>, by its name in words ("ManageMessages" is "manage messages").</summary>
    private static Dictionary<string, ulong> Constants() => typeof(Permission)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(field => field.IsLiteral && ulong.IsPow2((ulong)field.GetRawConstantValue()!))
        .ToDictionary(field => Words().Replace(field.Name, " $1").Trim().ToLowerInvariant(), field => (ulong)field.GetRawConstantValue()!);

    [Theory]
    [InlineData("docs/servers.md")]
    [InlineData("docs/protocol.md")]
    public void The_table_lists_every_permission_with_its_bit_and_value(string page)
    {
        var rows = Row().Matches(Text(page)).ToDictionary(match => match.Groups["name"].Value, match =>
            (Bit: int.Parse(match.Groups["bit"].Value), Value: ulong.Parse(match.Groups["value"].Value)));
        var constants = Constants();

        Assert.Equal(constants.Keys.Order(), rows.Keys.Order());
        Assert.All(constants, constant =>
        {
            Assert.Equal(constant.Value, rows[constant.Key].Value);
            Assert.Equal(constant.Value, 1UL << rows[constant.Key].Bit);
        });
    }

    [Fact]
    public void The_page_gives_everyones_default_as_the_grains_use_it() =>
        Assert.Contains($"`Permission.EveryoneDefault`, {Permission.EveryoneDefault}", Page);

    /// <summary>A row of name, bit and value; the protocol page adds what each allows in a fourth column.</summary>
    [GeneratedRegex(@"^\| (?<name>[a-z ]+) \| (?<bit>\d+) \| (?<value>\d+) \|", RegexOptions.Multiline)]
    private static partial Regex Row();

    [GeneratedRegex("([A-Z])")]
    private static partial Regex Words();
}
