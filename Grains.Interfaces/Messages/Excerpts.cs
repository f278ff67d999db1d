namespace Cryb.Messages;

/// <summary>The start of a message that a reply quotes and a notification shows.</summary>
public static class Excerpts
{
    public static string Of(string content) =>
        content.Length <= MessageLimits.ReplyExcerptLength ? content : content[..(MessageLimits.ReplyExcerptLength - 1)] + "…";
}
