using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Cryb.Testing;

/// <summary>Runs the server binaries the tests depend on, as the postgres user where PostgreSQL demands it.</summary>
public static partial class Shell
{
    public static bool IsRoot => geteuid() == 0;

    /// <summary>Runs a command to completion; throws with its output if it fails.</summary>
    public static async Task<string> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }

        return await stdout;
    }

    /// <summary>Runs a PostgreSQL binary, through runuser when we are root (initdb and postgres refuse root).</summary>
    public static Task<string> RunPostgresAsync(string binary, params string[] arguments) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", binary, .. arguments]) : RunAsync(binary, arguments);

    /// <summary>Whether <paramref name="program"/> is an executable file in one of PATH's folders.</summary>
    public static bool IsOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));

    /// <summary>Sends a signal (SIGTERM = 15, SIGKILL = 9, SIGSTOP = 19, SIGCONT = 18) to a process.</summary>
    public static void Signal(int pid, int signal)
    {
        if (kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
