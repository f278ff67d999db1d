namespace Cryb.Testing;

/// <summary>
/// A private PostgreSQL on a free loopback port with its data in a temporary folder, started with
/// pg_ctl so tests can stop and start it like an operator would.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _data;
    private readonly string _socketDir;
    private readonly string _log;

    private PostgresServer(string bin, string root, int port)
    {
        _bin = bin;
        _data = Path.Combine(root, "data");
        _socketDir = Path.Combine(root, "socket");
        _log = Path.Combine(root, "postgres.log");
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=5;Command Timeout=10";

    public static async Task<PostgresServer> StartNewAsync()
    {
        var root = Directory.CreateTempSubdirectory("cryb-pg-").FullName;
        var server = new PostgresServer(FindBinaries(), root, FreePort.Next());
        Directory.CreateDirectory(server._socketDir);
        if (Shell.IsRoot)
        {
            await Shell.RunAsync("chown", "-R", "postgres:postgres", root);
        }

        // fsync off: a test run does not need to survive the machine crashing, and it halves the time.
        await Shell.RunPostgresAsync(Path.Combine(server._bin, "initdb"),
            "-D", server._data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync");
        await server.StartAsync();
        await Shell.RunPostgresAsync(Path.Combine(server._bin, "createdb"), "-h", "127.0.0.1", "-p", server.Port.ToString(), "-U", "postgres", "cryb");
        return server;
    }

    public Task StartAsync() =>
        Shell.RunPostgresAsync(Path.Combine(_bin, "pg_ctl"), "-D", _data, "-l", _log, "-w", "-t", "60",
            "-o", $"-p {Port} -k {_socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300", "start");

    /// <summary>
    /// Starts the server after <see cref="Kill"/>: the orphaned backends notice their postmaster is
    /// gone and exit within moments, but until they have, the new postmaster refuses to start
    /// ("pre-existing shared memory block is still in use"), so it is tried again for a while.
    /// </summary>
    public async Task StartAfterCrashAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await StartAsync();
                return;
            }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
        }
    }

    /// <summary>SIGKILL to the postmaster alone, as the kernel's OOM killer would: no shutdown, no checkpoint.</summary>
    public void Kill() => Shell.Signal(PostmasterId, 9);

    /// <summary>Stops the server; mode is pg_ctl's: smart, fast or immediate.</summary>
    public Task StopAsync(string mode = "fast") =>
        Shell.RunPostgresAsync(Path.Combine(_bin, "pg_ctl"), "-D", _data, "-m", mode, "-w", "stop");

    /// <summary>
    /// SIGSTOP to the postmaster and every backend: PostgreSQL still accepts TCP connections (the
    /// kernel does) but answers nothing, as a hung server or a network partition looks to clients.
    /// </summary>
    public IReadOnlyList<int> Freeze()
    {
        var postmaster = PostmasterId;
        var processes = new[] { postmaster }.Concat(ChildrenOf(postmaster)).ToArray();
        foreach (var pid in processes)
        {
            Shell.Signal(pid, 19);
        }

        return processes;
    }

    /// <summary>SIGCONT to what <see cref="Freeze"/> stopped.</summary>
    public static void Thaw(IReadOnlyList<int> processes)
    {
        foreach (var pid in processes)
        {
            Shell.Signal(pid, 18);
        }
    }

    private int PostmasterId =>
        int.Parse(File.ReadLines(Path.Combine(_data, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync("immediate");
        }
        catch (InvalidOperationException)
        {
            // Already stopped by a test.
        }
    }

    private static IEnumerable<int> ChildrenOf(int parent) =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name!.All(char.IsAsciiDigit))
            .Select(name => (Pid: int.Parse(name!, System.Globalization.CultureInfo.InvariantCulture), Parent: ParentOf(name!)))
            .Where(process => process.Parent == parent)
            .Select(process => process.Pid);

    /// <summary>The fourth field of /proc/PID/stat, after the command name in parentheses.</summary>
    private static int? ParentOf(string pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null; // exited meanwhile
        }
    }

    private static string FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(dir => Path.Combine(dir, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => bin, StringComparer.Ordinal)
                .FirstOrDefault() ?? throw MissingPackage()
            : throw MissingPackage();

    private static InvalidOperationException MissingPackage() =>
        new("PostgreSQL is not installed: run `./cryb test` once, or `apt-get install postgresql`.");
}
