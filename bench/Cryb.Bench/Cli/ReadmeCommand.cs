using System.CommandLine;
using Cryb.Bench.Reporting;

namespace Cryb.Bench.Cli;

/// <summary>
/// <c>readme [--readme PATH] [--check]</c>: rewrites the bench blocks of the README and of the
/// pages beside it (<see cref="ReadmeBlocks.Documents"/>) from the committed results under
/// <c>docs/bench/</c>; with <c>--check</c> it only says whether they are current (exit code 1 when not).
/// </summary>
public static class ReadmeCommand
{
    public const string Name = "readme";

    public static Command Create()
    {
        var readme = new Option<string>("--readme")
        {
            Description = "the README whose directory is the repository's root",
            DefaultValueFactory = _ => "README.md",
        };
        var check = new Option<bool>("--check") { Description = "only say whether the blocks are current (exit code 1 when not)" };
        var command = new Command(Name, "rewrite the bench blocks of README.md and docs/ from docs/bench/NAME/result.json")
        {
            readme,
            check,
        };
        command.SetAction((parse, _) => RunAsync(parse.GetRequiredValue(readme), parse.GetValue(check)));
        return command;
    }

    private static async Task<int> RunAsync(string path, bool check)
    {
        // The README's directory is the repository's root: every document's blocks render from there.
        var root = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var status = 0;
        foreach (var document in ReadmeBlocks.Documents)
        {
            var file = document == "README.md" ? path : Path.Combine(root, document);
            if (File.Exists(file))
            {
                status = Math.Max(status, await RegenerateAsync(file, root, ReadmeBlocks.LinkBase(document), check));
            }
        }

        return status;
    }

    private static async Task<int> RegenerateAsync(string path, string root, string linkBase, bool check)
    {
        string current, generated;
        try
        {
            current = await File.ReadAllTextAsync(path);
            generated = ReadmeBlocks.Regenerate(current, name => ReadmeBlocks.Render(name, root, linkBase));
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine(ex.Message);
            return BenchCommandLine.BadUsage;
        }

        var names = ReadmeBlocks.Names(current);
        if (current == generated)
        {
            Console.WriteLine($"{path}: {names.Count} bench blocks, all current ({string.Join(", ", names)}).");
            return 0;
        }

        if (check)
        {
            Console.Error.WriteLine($"{path}: bench blocks differ from their results; run ./cryb bench readme.");
            return 1;
        }

        await File.WriteAllTextAsync(path, generated);
        Console.WriteLine($"{path}: rewrote {names.Count} bench blocks ({string.Join(", ", names)}).");
        return 0;
    }
}
