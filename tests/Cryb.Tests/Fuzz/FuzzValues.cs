namespace Cryb.Tests.Fuzz;

// Argument values the fuzzer writes in either protocol, beside the plain ones (null, bool, long,
// ulong, double, string, object?[] for an array, IReadOnlyDictionary<string, object?> for a map).

/// <summary>A number no .NET integer or double holds (JSON <c>1e400</c>); MessagePack, which has no such number, gets <see cref="Nearest"/>.</summary>
public sealed record HugeNumber(string JsonText, double Nearest);

/// <summary>A string whose bytes are not UTF-8, written as they are.</summary>
public sealed record InvalidUtf8(byte[] Bytes);

/// <summary><paramref name="Inner"/> inside <paramref name="Depth"/> one-element arrays; written without recursion, so any depth fits the writer's stack.</summary>
public sealed record Nested(int Depth, object? Inner);
