namespace Cryb.Bench.Load;

/// <summary>The SignalR hub protocol the bench's clients speak.</summary>
public enum BenchProtocol
{
    Json,
    MessagePack,
}
