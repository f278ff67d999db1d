using System.Diagnostics;

namespace Cryb.Testing;

/// <summary>
/// One silo, gateway or bench baseline running as its own process, so `./cryb up`, tests and the
/// fault suite can restart, SIGTERM, pause or kill it. Output goes to a log file that failures quote.
/// </summary>
public sealed class ClusterProcess : IAsyncDisposable
{
    private readonly string _workingDirectory;
    private readonly IReadOnlyList<string> _command;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly string _logPath;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private Process? _process;
    private StreamWriter? _log;

    /// <param name="command">The program and its arguments, run in <paramref name="workingDirectory"/>.</param>
    public ClusterProcess(string name, string workingDirectory, IReadOnlyList<string> command, int httpPort, IReadOnlyDictionary<string, string> environment, string logDirectory)
    {
        Name = name;
        HttpPort = httpPort;
        _workingDirectory = workingDirectory;
        _command = command;
        _environment = environment;
        _logPath = Path.Combine(logDirectory, $"{name}.log");
    }

    /// <summary>A host from its project's build output (e.g. <c>Silo</c>, <c>Cryb.Silo.dll</c>).</summary>
    public static ClusterProcess Host(string name, string project, string dll, int httpPort, IReadOnlyDictionary<string, string> environment, string logDirectory) =>
        new(name, BuildOutput.Of(project), ["dotnet", dll], httpPort, environment, logDirectory);

    public string Name { get; }
    public int HttpPort { get; }
    public string Url => $"http://127.0.0.1:{HttpPort}";
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException($"{Name} is not running");
    public bool IsRunning => _process is { HasExited: false };

    public void Start()
    {
        // A session of its own: Ctrl-C in `./cryb up`'s terminal reaches only the tool, which then
        // stops the processes in order (all at once, silos' shutdowns wait on each other).
        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = _workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in _command)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_URLS"] = Url;
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        // A new log per run of the cluster; a restart adds to it.
        _log = new StreamWriter(_logPath, append: _log is not null) { AutoFlush = true };
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
    public async Task WaitReadyAsync(TimeSpan timeout, CancellationToken cancellation = default)
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
                using var response = await _http.GetAsync($"{Url}/health/ready", cancellation);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
            {
                // Not listening yet.
            }

            await Task.Delay(200, cancellation);
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

    /// <summary>Completes when the process exits, by itself or stopped.</summary>
    public Task ExitedAsync(CancellationToken cancellation) => _process!.WaitForExitAsync(cancellation);

    /// <summary>SIGTERM, then waits for a graceful exit, 30 s unless told; false if it had to be killed after that.</summary>
    public async Task<bool> StopAsync(TimeSpan? grace = null)
    {
        if (!IsRunning)
        {
            return true;
        }

        Shell.Signal(_process!.Id, 15);
        using var timeout = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            return false;
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
