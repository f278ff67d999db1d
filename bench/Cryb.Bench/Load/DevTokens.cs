using System.Net.Http.Json;

namespace Cryb.Bench.Load;

/// <summary>
/// Bearer tokens from the gateways' <c>POST /auth/dev-token</c>, fetched before any measured
/// window with a bounded number of requests in flight, spread over the gateways.
/// </summary>
public static class DevTokens
{
    public static async Task<string[]> FetchAsync(IReadOnlyList<string> gateways, IReadOnlyList<string> userIds, int concurrency, CancellationToken cancellation)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { Timeout = TimeSpan.FromSeconds(30) };
        var tokens = new string[userIds.Count];
        try
        {
            await FetchAllAsync(http, gateways, userIds, tokens, concurrency, cancellation);
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException || (ex is TaskCanceledException && !cancellation.IsCancellationRequested))
        {
            throw new BenchSetupException($"Could not get dev tokens: {ex.Message}", ex);
        }

        return tokens;
    }

    private static Task FetchAllAsync(HttpClient http, IReadOnlyList<string> gateways, IReadOnlyList<string> userIds, string[] tokens, int concurrency, CancellationToken cancellation) =>
        Parallel.ForEachAsync(
            Enumerable.Range(0, userIds.Count),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellation },
            async (i, token) =>
            {
                var gateway = gateways[i % gateways.Count];
                using var response = await http.PostAsJsonAsync($"{gateway}/auth/dev-token", new { userId = userIds[i], displayName = userIds[i] }, token);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException(
                        $"POST {gateway}/auth/dev-token for {userIds[i]} answered {(int)response.StatusCode}: is the gateway started with Auth__DevTokens__Enabled=true?");
                }

                var body = await response.Content.ReadFromJsonAsync<TokenResponse>(token);
                tokens[i] = body?.Token ?? throw new InvalidOperationException($"{gateway}/auth/dev-token returned no token.");
            });

    private sealed record TokenResponse(string Token);
}
