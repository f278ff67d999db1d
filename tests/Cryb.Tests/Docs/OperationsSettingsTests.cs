using System.Diagnostics;
using System.Text.RegularExpressions;
using Cryb.Tests.Deploy;

namespace Cryb.Tests.Docs;

/// <summary>
/// docs/operations.md's settings tables against what the code reads: every setting a silo, a
/// gateway or the migration reads (as the deploy tests derive them) has a row in "Host settings";
/// the `./cryb` table lists exactly the variables `./cryb help` prints.
/// </summary>
public sealed partial class OperationsSettingsTests
{
    private static readonly string Operations = MarkdownPages.Text(BuildOutput.RepositoryRoot, "docs/operations.md");

    private static string HostSettingsTable => MarkdownPages.Section(Operations, "## Host settings");

    [Fact]
    public void The_host_settings_table_lists_every_setting_the_hosts_read()
    {
        var listed = MarkdownPages.FirstColumnNames(HostSettingsTable).ToHashSet(StringComparer.Ordinal);
        var undocumented = HostSettings.AsDocumented()
            .Where(setting => !listed.Contains(setting))
            .ToArray();

        Assert.True(undocumented.Length == 0, "docs/operations.md, Host settings, does not list: " + string.Join(", ", undocumented));
    }

    [Fact]
    public async Task The_cryb_variables_table_lists_what_cryb_help_prints()
    {
        var help = await CrybHelpAsync();
        var printed = EnvironmentLine().Matches(help[help.IndexOf("Environment", StringComparison.Ordinal)..])
            .Select(match => match.Groups["name"].Value)
            .ToHashSet(StringComparer.Ordinal);
        var listed = MarkdownPages.FirstColumnNames(MarkdownPages.Section(Operations, "## `./cryb` environment variables"))
            .ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(printed);
        Assert.Equal(printed.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_name_written_as_its_last_part_continues_the_name_before_it_in_the_cell() =>
        Assert.Equal(
            ["RateLimits__Messages__PerSecond", "RateLimits__Messages__Burst", "Cors__AllowedOrigins__0", "Cors__AllowedOrigins__1", "Shutdown__Timeout"],
            MarkdownPages.FirstColumnNames("""
                | setting | meaning |
                | --- | --- |
                | `RateLimits__Messages__PerSecond`, `__Burst` | a bucket |
                | `Cors__AllowedOrigins__0`, `__1`, ... | origins |
                | `Shutdown__Timeout` | `__NotAName` in another column |
                """));

    private static async Task<string> CrybHelpAsync()
    {
        var start = new ProcessStartInfo(Path.Combine(BuildOutput.RepositoryRoot, "cryb"))
        {
            ArgumentList = { "help" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = BuildOutput.RepositoryRoot,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("./cryb help did not exit within 2 minutes");
        }

        Assert.True(process.ExitCode == 0, $"./cryb help exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken)}");
        return await output;
    }

    [GeneratedRegex(@"^ {2}(?<name>CRYB_[A-Z0-9_]+) ", RegexOptions.Multiline)]
    private static partial Regex EnvironmentLine();
}
