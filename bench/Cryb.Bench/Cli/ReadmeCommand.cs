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

    public const string Usage = "Usage: dotnet Cryb.Bench.dll readme [--readme README.md] [--check]";

    public static async Task<int> RunAsync(IReadOnlyList<string> arguments)
    {
        var path = "README.md";
        var check = false;
        for (var i = 0; i < arguments.Count; i++)
        {
            switch (arguments[i])
            {
                case "--readme" when i + 1 < arguments.Count:
                    path = arguments[++i];
                    break;
                case "--check":
                    check = true;
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

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
            return 2;
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
