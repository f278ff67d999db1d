using System.Diagnostics;
using System.Net.Sockets;

namespace Cryb.Testing;

/// <summary>
/// A private redis-server on a loopback port: without persistence, or with its append-only file in
/// a folder of its own (<see cref="ClusterProfile.RedisAppendOnly"/>), so that a restart keeps what it held.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string? _dataDirectory;
    private readonly string? _log;
    private Process? _process;

    private RedisServer(int port, string? dataDirectory, string? log)
    {
        Port = port;
        _dataDirectory = dataDirectory;
        _log = log;
    }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Whether the server keeps an append-only file that a restart reads back.</summary>
    public bool Persistent => _dataDirectory is not null;

    /// <summary>The server's process id while it runs.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("Redis is not running");

    /// <summary>A new server on a free port, its append-only file (if the profile keeps one) in a temporary folder.</summary>
    public static Task<RedisServer> StartNewAsync(ClusterProfile profile) =>
        StartAsync(profile, FreePort.Next(), profile.RedisAppendOnly ? Directory.CreateTempSubdirectory("cryb-redis-").FullName : null, log: null);

    /// <summary>A server on <paramref name="port"/>, keeping its append-only file in <paramref name="dataDirectory"/> if the profile asks for one.</summary>
    public static async Task<RedisServer> StartAsync(ClusterProfile profile, int port, string? dataDirectory, string? log)
    {
        if (profile.RedisAppendOnly && dataDirectory is not null)
        {
            Directory.CreateDirectory(dataDirectory);
        }

        var server = new RedisServer(port, profile.RedisAppendOnly ? dataDirectory : null, log);
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        // A session of its own, as the hosts (ClusterProcess): Ctrl-C in `./cryb up`'s terminal stops it in order, last.
        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] persistence = _dataDirectory is null
            ? ["--save", "", "--appendonly", "no"]
            : ["--save", "", "--appendonly", "yes", "--dir", _dataDirectory];
        string[] log = _log is null ? [] : ["--logfile", _log];
        foreach (var argument in new[] { "redis-server", "--bind", "127.0.0.1", "--port", Port.ToString() }.Concat(persistence).Concat(log))
        {
            start.ArgumentList.Add(argument);
        }

        if (!Shell.IsOnPath("redis-server"))
        {
            throw new InvalidOperationException("redis-server is not installed: run `./cryb test` once, or `apt-get install redis-server`.");
        }

        _process = Process.Start(start);
        _process!.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilListeningAsync();
    }

    /// <summary>SIGKILL; or, when <paramref name="graceful"/>, SIGTERM, on which Redis flushes its append-only file and exits.</summary>
    public async Task StopAsync(bool graceful = false)
    {
        if (_process is { HasExited: false })
        {
            if (graceful)
            {
                Shell.Signal(_process.Id, 15);
            }
            else
            {
                _process.Kill();
            }

            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Deletes what a stopped server persisted, so it starts empty: Redis run without persistence, or its disk lost.</summary>
    public void DeleteData()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("Stop Redis before deleting its data.");
        }

        if (_dataDirectory is not null)
        {
            foreach (var entry in new DirectoryInfo(_dataDirectory).EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo directory)
                {
                    directory.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }
            }
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && _process is { HasExited: false })
            {
                await Task.Delay(50);
            }
        }
    }
}
