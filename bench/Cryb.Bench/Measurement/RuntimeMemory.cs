using Cryb.Testing;

namespace Cryb.Bench.Measurement;

/// <summary>
/// What a .NET process's own metrics (the runtime's <c>System.Runtime</c> meter on its
/// <c>/metrics</c>) say of its memory: the GC's side of <see cref="ResidentMemory.AnonymousKb"/>,
/// so a growing managed heap (a leak in our objects) can be told from native or JIT growth.
/// </summary>
/// <param name="GcHeapKb">Objects on the GC heap after the last collection, every generation (dead ones included until a collection of their generation).</param>
/// <param name="GcCommittedKb">Memory the GC holds from the system after the last collection: the heap, its free space and its budget.</param>
/// <param name="JitMethods">Methods the JIT compiled so far, tier-ups included: a count still rising late in a run is code memory still growing.</param>
public sealed record RuntimeMemory(long GcHeapKb, long GcCommittedKb, long JitMethods)
{
    public const string HeapSizeMetric = "dotnet_gc_last_collection_heap_size_bytes";
    public const string CommittedMetric = "dotnet_gc_last_collection_memory_committed_size_bytes";
    public const string JitMethodsMetric = "dotnet_jit_compiled_methods_total";

    /// <summary>The figures from a Prometheus exposition; null when it has no GC figures (not a .NET process, or before its first collection).</summary>
    public static RuntimeMemory? Parse(string exposition)
    {
        var committed = PrometheusText.Sum(exposition, CommittedMetric);
        return committed > 0
            ? new RuntimeMemory(
                (long)(PrometheusText.Sum(exposition, HeapSizeMetric) / 1024),
                (long)(committed / 1024),
                (long)PrometheusText.Sum(exposition, JitMethodsMetric))
            : null;
    }

    /// <summary>Scrapes every process's metrics at once, by process name; those that did not answer, or have no GC figures yet, are left out.</summary>
    public static async Task<Dictionary<string, RuntimeMemory>> ScrapeAllAsync(HttpClient http, IReadOnlyDictionary<string, string> metricsUrls, CancellationToken cancellation)
    {
        var scraped = await Task.WhenAll(metricsUrls.Select(async pair => (Name: pair.Key, Memory: await ScrapeAsync(http, pair.Value, cancellation))));
        return scraped.Where(pair => pair.Memory is not null).ToDictionary(pair => pair.Name, pair => pair.Memory!);
    }

    /// <summary>Scrapes <paramref name="metricsUrl"/>; null when it does not answer within the timeout, so a slow scrape never stalls the sampler.</summary>
    public static async Task<RuntimeMemory?> ScrapeAsync(HttpClient http, string metricsUrl, CancellationToken cancellation)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            return Parse(await http.GetStringAsync(metricsUrl, timeout.Token));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
        {
            return null;
        }
    }
}
