namespace Cryb.Bench.Load;

/// <summary>Setting up a scenario failed (tokens, connects, channels): nothing was measured.</summary>
public sealed class BenchSetupException(string message, Exception? inner = null) : Exception(message, inner);
