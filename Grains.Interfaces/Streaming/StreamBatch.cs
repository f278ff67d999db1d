namespace Cryb.Streaming;

/// <summary>Events published together on one stream, in order; immutable, so a local push copies nothing.</summary>
[GenerateSerializer, Immutable, Alias("cryb.StreamBatch")]
public sealed record StreamBatch([property: Id(0)] IReadOnlyList<object> Items);
