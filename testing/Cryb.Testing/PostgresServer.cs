namespace Cryb.Testing;

/// <summary>
/// A private PostgreSQL on a loopback port, started with pg_ctl so callers can stop and start it
/// like an operator would: in a temporary folder (tests, the fault suite) or in one kept from run
/// to run (`./cryb up`). Every local cluster's server settings are here, once.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>The cluster's database, made on first start.</summary>
    public const string Database = "cryb";

    private readonly string _bin;
    private readonly string _data;
    private readonly string _socketDir;
    private readonly string _log;
    private readonly ClusterProfile _profile;

    private PostgresServer(string bin, string data, string socketDir, string log, int port, ClusterProfile profile)
    {
        _bin = bin;
        _data = data;
        _socketDir = socketDir;
        _log = log;
        _profile = profile;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The postmaster's process id while the server runs.</summary>
    public int PostmasterId =>
        int.Parse(File.ReadLines(Path.Combine(_data, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

    public string ConnectionString(string database = Database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=5;Command Timeout=10";

    /// <summary>A new server in a temporary folder on a free port.</summary>
    public static Task<PostgresServer> StartNewAsync(ClusterProfile profile)
    {
        var root = Directory.CreateTempSubdirectory("cryb-pg-").FullName;
        return StartAsync(profile, Path.Combine(root, "data"), Path.Combine(root, "socket"), Path.Combine(root, "postgres.log"), FreePort.Next());
    }

    /// <summary>The server whose data is in <paramref name="data"/>, made there on first use, with its database.</summary>
    public static async Task<PostgresServer> StartAsync(ClusterProfile profile, string data, string socketDir, string log, int port)
    {
        var server = new PostgresServer(FindBinaries(), data, socketDir, log, port, profile);
        await server.PrepareDirectoriesAsync();
        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            await Shell.RunPostgresAsync(Path.Combine(server._bin, "initdb"),
                ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", .. profile.Fsync ? Array.Empty<string>() : ["--no-sync"]]);
        }

        await server.StartAsync();
        var exists = await Shell.RunPostgresAsync(Path.Combine(server._bin, "psql"), "-h", "127.0.0.1", "-p", server.Port.ToString(), "-U", "postgres",
            "-tAc", $"SELECT 1 FROM pg_database WHERE datname = '{Database}'");
        if (exists.Trim() != "1")
        {
            await Shell.RunPostgresAsync(Path.Combine(server._bin, "createdb"), "-h", "127.0.0.1", "-p", server.Port.ToString(), "-U", "postgres", Database);
        }

        return server;
    }

    public Task StartAsync() =>
        Shell.RunPostgresAsync(Path.Combine(_bin, "pg_ctl"), "-D", _data, "-l", _log, "-w", "-t", "60", "-o", string.Join(' ', ServerOptions()), "start");

    /// <summary>pg_ctl's <c>-o</c>: the settings of every local cluster's PostgreSQL.</summary>
    private IEnumerable<string> ServerOptions()
    {
        yield return $"-p {Port} -k {_socketDir} -c listen_addresses=127.0.0.1";
        // Each silo has two Npgsql pools (message store, grain storage); under a burst of connections
        // two silos outgrew PostgreSQL's default of 100 ("53300: too many clients").
        yield return "-c max_connections=300";
        if (!_profile.Fsync)
        {
            yield return "-c fsync=off";
        }
    }

    /// <summary>
    /// The data and socket folders, and the log, owned by the postgres user when we are root (initdb
    /// and postgres refuse to run as root), who must also be able to reach them through their parents.
    /// </summary>
    private async Task PrepareDirectoriesAsync()
    {
        Directory.CreateDirectory(_data);
        Directory.CreateDirectory(_socketDir);
        Directory.CreateDirectory(Path.GetDirectoryName(_log)!);
        if (!File.Exists(_log))
        {
            await File.WriteAllTextAsync(_log, "");
        }

        if (Shell.IsRoot)
        {
            await Shell.RunAsync("chown", "-R", "postgres:postgres", _data, _socketDir, _log);
            for (var dir = Directory.GetParent(_data); dir is not null; dir = dir.Parent)
            {
                await Shell.RunAsync("chmod", "o+x", dir.FullName);
            }
        }

        // PostgreSQL refuses a data folder others can read.
        await Shell.RunAsync("chmod", "700", _data);
    }

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
