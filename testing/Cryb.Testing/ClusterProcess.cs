using System.Diagnostics;

namespace Cryb.Testing;

/// <summary>
/// One silo or gateway running as its own process from the build output, as `./cryb up` runs it,
/// so tests and the fault suite can restart, SIGTERM, pause or kill it. Output goes to a log file that failures quote.
/// </summary>
public sealed class ClusterProcess : IAsyncDisposable
{
    private readonly string _dll;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly string _logPath;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private Process? _process;
    private StreamWriter? _log;

    public ClusterProcess(string name, string project, string dll, int httpPort, IReadOnlyDictionary<string, string> environment, string logDirectory)
    {
        Name = name;
        HttpPort = httpPort;
        _dll = Path.Combine(BuildOutput.Of(project), dll);
        _environment = environment;
        _logPath = Path.Combine(logDirectory, $"{name}.log");
    }

    public string Name { get; }
    public int HttpPort { get; }
    public string Url => $"http://127.0.0.1:{HttpPort}";
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException($"{Name} is not running");
    public bool IsRunning => _process is { HasExited: false };

    public void Start()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(_dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(_dll);
        start.Environment["ASPNETCORE_URLS"] = Url;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        // As the images and ./cryb run them (deploy/docker): two glibc arenas keep a silo's memory flat.
        start.Environment["MALLOC_ARENA_MAX"] = "2";
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        _log = new StreamWriter(_logPath, append: true) { AutoFlush = true };
        _process = Process.Start(start)!;
        // If the test run itself dies or is stopped, take the process with it.
        var started = _process;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                started.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
        };
        _process.OutputDataReceived += (_, line) => Write(line.Data);
        _process.ErrorDataReceived += (_, line) => Write(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200, failing early if the process exits.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (!IsRunning)
            {
                throw new InvalidOperationException($"{Name} exited with {_process?.ExitCode} before it was ready:\n{LogTail()}");
            }

            try
            {
                using var response = await _http.GetAsync($"{Url}/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{Name} was not ready at {Url}/health/ready within {timeout}:\n{LogTail()}");
    }

    /// <summary>Waits for the process to exit by itself (a refused start) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process!.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, then waits for a graceful exit.</summary>
    public async Task StopAsync()
    {
        if (!IsRunning)
        {
            return;
        }

        Shell.Signal(_process!.Id, 15);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>SIGSTOP: the process still holds its sockets but runs nothing, as a long GC pause or a hung VM looks to its peers.</summary>
    public void Pause() => Shell.Signal(ProcessId, 19);

    /// <summary>SIGCONT to a paused process.</summary>
    public void Resume() => Shell.Signal(ProcessId, 18);

    /// <summary>SIGKILL: a crash, with no chance to clean up.</summary>
    public async Task KillAsync()
    {
        if (IsRunning)
        {
            _process!.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public string LogTail(int lines = 60)
    {
        _log?.Flush();
        return File.Exists(_logPath) ? string.Join('\n', ReadShared(_logPath).TakeLast(lines)) : "(no log)";
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _http.Dispose();
        if (_log is not null)
        {
            await _log.DisposeAsync();
        }
    }

    private void Write(string? line)
    {
        if (line is not null)
        {
            lock (_logPath)
            {
                _log?.WriteLine(line);
            }
        }
    }

    private static IEnumerable<string> ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }
}
