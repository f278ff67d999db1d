namespace Cryb.Limits;

/// <summary>The end of a lease: its id and how many of its tokens were not spent.</summary>
[GenerateSerializer, Immutable, Alias("cryb.ReturnedTokens")]
public sealed record ReturnedTokens(
    [property: Id(0)] long LeaseId,
    [property: Id(1)] int Unspent);
