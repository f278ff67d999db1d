using Cryb.Bench.Reporting;

namespace Cryb.Bench.Cli;

/// <summary>
/// <c>readme [--readme PATH] [--check]</c>: rewrites the README's bench blocks from the committed
/// results under <c>docs/bench/</c> (<see cref="ReadmeBlocks"/>); with <c>--check</c> it only says
/// whether they are current (exit code 1 when not).
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

        string current, generated;
        try
        {
            current = await File.ReadAllTextAsync(path);
            var root = Path.GetDirectoryName(Path.GetFullPath(path))!;
            generated = ReadmeBlocks.Regenerate(current, name => ReadmeBlocks.Render(name, root));
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
