using System.Diagnostics;
using System.Net.Sockets;

namespace Cryb.Testing;

/// <summary>
/// A private redis-server on a free loopback port: without persistence, or with its append-only
/// file in a folder of its own (as `./cryb up` runs it), so that a restart keeps what it held.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string? _dataDirectory;
    private Process? _process;

    private RedisServer(int port, string? dataDirectory)
    {
        Port = port;
        _dataDirectory = dataDirectory;
    }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Whether the server keeps an append-only file that a restart reads back.</summary>
    public bool Persistent => _dataDirectory is not null;

    public static async Task<RedisServer> StartNewAsync(bool persistent = false)
    {
        var server = new RedisServer(FreePort.Next(), persistent ? Directory.CreateTempSubdirectory("cryb-redis-").FullName : null);
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] persistence = _dataDirectory is null
            ? ["--save", "", "--appendonly", "no"]
            : ["--save", "", "--appendonly", "yes", "--dir", _dataDirectory];
        foreach (var argument in new[] { "--bind", "127.0.0.1", "--port", Port.ToString() }.Concat(persistence))
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            _process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed: run `./cryb test` once, or `apt-get install redis-server`.", ex);
        }

        _process!.OutputDataReceived += (_, _) => { };
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
