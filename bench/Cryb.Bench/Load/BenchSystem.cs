namespace Cryb.Bench.Load;

/// <summary>The system a run loads: Cryb's gateways, or one of the baselines it is compared with.</summary>
public enum BenchSystem
{
    /// <summary>Cryb's gateways (SignalR hub at <c>/hubs/chat</c>).</summary>
    Cryb,

    /// <summary>The Socket.IO 4 + Redis adapter + PostgreSQL stack in <c>bench/socketio</c>. It does not keep a channel's messages in seq order.</summary>
    Socketio,

    /// <summary>The plain ASP.NET Core SignalR hub in <c>bench/Cryb.Bench.Reference</c>: group sends, nothing stored.</summary>
    Signalr,
}

/// <summary>How the generator's clients talk SignalR.</summary>
public enum BenchClientKind
{
    /// <summary>The hub protocol over a bare WebSocket, read without allocating per delivery.</summary>
    Lean,

    /// <summary>The official .NET SignalR client, for cross-checks.</summary>
    Official,
}

public static class BenchSystemExtensions
{
    /// <summary>Whether the system promises each member a channel's messages in seq order (the Socket.IO baseline does not).</summary>
    public static bool PromisesOrder(this BenchSystem system) => system != BenchSystem.Socketio;

    /// <summary>The name the command line and the reports use.</summary>
    public static string Label(this BenchSystem system) => system.ToString().ToLowerInvariant();
}
