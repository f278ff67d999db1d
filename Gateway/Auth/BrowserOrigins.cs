namespace Cryb.Gateway.Auth;

/// <summary>The allowed browser origins, normalized as browsers send them.</summary>
public sealed class BrowserOrigins(IReadOnlyCollection<string> allowed)
{
    private readonly HashSet<string> _allowed = new(allowed, StringComparer.OrdinalIgnoreCase);

    /// <summary>True for a listed origin and for the gateway's own (a page it served, or a test page on the same host).</summary>
    public bool Allows(string origin, HttpRequest request) =>
        _allowed.Contains(origin)
        || string.Equals(origin, $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase);
}
