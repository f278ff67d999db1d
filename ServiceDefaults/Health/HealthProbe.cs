namespace Cryb.Hosting.Health;

/// <summary>
/// <c>dotnet Cryb.Silo.dll probe http://127.0.0.1:8080/health/live</c> (the Gateway has the same
/// command): one GET, exit code 0 on a 2xx answer, 1 otherwise. It is the container images'
/// HEALTHCHECK. The ASP.NET Core runtime image has no curl or wget, and installing one into every
/// image for a single GET adds a package to patch and an HTTP client to every container; the host's
/// own assembly already has one. It runs before any host is built (no configuration, telemetry or
/// Orleans), so it costs one short-lived <c>dotnet</c> process per check. Kubernetes ignores
/// HEALTHCHECK and uses its own HTTP probes on the same paths.
/// </summary>
public static class HealthProbe
{
    public const string Command = "probe";

    /// <summary>Probes <c>args[0]</c>; <c>args[1]</c>, if given, is the timeout in seconds (5 by default).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length is < 1 or > 2 || !Uri.TryCreate(args[0], UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            await Console.Error.WriteLineAsync("usage: probe http://127.0.0.1:8080/health/live [timeout-seconds]");
            return 2;
        }

        var timeout = TimeSpan.FromSeconds(args.Length == 2 && double.TryParse(args[1], System.Globalization.CultureInfo.InvariantCulture, out var seconds) ? seconds : 5);
        using var http = new HttpClient { Timeout = timeout };
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
            if (response.IsSuccessStatusCode)
            {
                return 0;
            }

            await Console.Error.WriteLineAsync($"{url} answered {(int)response.StatusCode}");
            return 1;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"{url} did not answer: {exception.Message}");
            return 1;
        }
    }
}
