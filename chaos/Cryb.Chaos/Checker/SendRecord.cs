namespace Cryb.Chaos.Checker;

/// <summary>
/// One message the checker meant to send, under one nonce, across every attempt: acknowledged
/// (with the seq the server gave), finally refused (with its code), or never settled. Written by
/// its sender's task only; read after that task ended.
/// </summary>
public sealed class SendRecord(ScenarioWindow window, int channel, string authorId, string nonce)
{
    /// <summary>The scenario in which it was first sent; its figures count it.</summary>
    public ScenarioWindow Window { get; } = window;
    public int Channel { get; } = channel;
    public string AuthorId { get; } = authorId;
    public string Nonce { get; } = nonce;
    public int Attempts { get; set; }

    /// <summary>An attempt timed out or its connection dropped: the server may or may not have stored it.</summary>
    public bool HadUnknownOutcome { get; set; }

    /// <summary>An attempt was refused with <c>storage_unavailable</c>.</summary>
    public bool HadStorageRefusal { get; set; }

    /// <summary>The seq of the acknowledgement, or null if none came.</summary>
    public long? Seq { get; set; }

    /// <summary>The code of a final refusal (one not worth retrying), or null.</summary>
    public string? FinalCode { get; set; }
}
