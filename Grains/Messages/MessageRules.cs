using System.Text.RegularExpressions;
using Cryb.Errors;
using Cryb.Messages;

namespace Cryb.Grains.Messages;

/// <summary>Validation and parsing of message fields, in the grain so backend services are held to it too.</summary>
public static partial class MessageRules
{
    private const int MaxMentions = 50;

    /// <summary>Returns the trimmed content, or refuses it with a code that says why.</summary>
    public static string ValidateContent(string? content)
    {
        var trimmed = content?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            throw new ChatException(ErrorCodes.MessageEmpty, "A message needs some content.");
        }

        if (trimmed.Length > MessageLimits.MaxContentLength)
        {
            throw new ChatException(ErrorCodes.MessageTooLong,
                $"A message is at most {MessageLimits.MaxContentLength} characters.");
        }

        // Line breaks and tabs are text; every other control character is a rendering or log-injection hazard.
        if (trimmed.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            throw new ChatException(ErrorCodes.MessageInvalidCharacters, "A message may not contain control characters.");
        }

        return trimmed;
    }

    public static string? ValidateNonce(string? nonce)
    {
        if (nonce is null)
        {
            return null;
        }

        if (nonce.Length is 0 or > MessageLimits.MaxNonceLength || nonce.Any(char.IsControl))
        {
            throw new ChatException(ErrorCodes.InvalidArgument,
                $"A nonce is 1 to {MessageLimits.MaxNonceLength} printable characters.");
        }

        return nonce;
    }

    /// <summary>An emoji or a short custom name: no whitespace or control characters.</summary>
    public static string ValidateEmoji(string? emoji)
    {
        if (emoji is null || emoji.Length is 0 or > MessageLimits.MaxEmojiLength || emoji.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ChatException(ErrorCodes.InvalidEmoji,
                $"An emoji is 1 to {MessageLimits.MaxEmojiLength} characters without spaces.");
        }

        return emoji;
    }

    /// <summary>A reaction to add: one already on the message, or a new one while it has fewer than <see cref="MessageLimits.MaxReactionsPerMessage"/>.</summary>
    public static void RequireRoomForReaction(ChatMessage message, string emoji)
    {
        if (message.Reactions.Count >= MessageLimits.MaxReactionsPerMessage && message.Reactions.All(r => r.Emoji != emoji))
        {
            throw new ChatException(ErrorCodes.TooManyReactions, $"A message has at most {MessageLimits.MaxReactionsPerMessage} different reactions.");
        }
    }

    public static Guid ParseMessageId(string? id, string codeIfInvalid) =>
        Guid.TryParse(id, out var parsed)
            ? parsed
            : throw new ChatException(codeIfInvalid, "No such message in this channel.");

    /// <summary>The distinct user ids mentioned as <c>&lt;@userId&gt;</c>, in order of appearance.</summary>
    public static IReadOnlyList<string> ParseMentions(string content) =>
        MentionPattern().Matches(content).Select(match => match.Groups[1].Value).Distinct().Take(MaxMentions).ToArray();

    /// <summary>The start of <paramref name="content"/> a reply quotes.</summary>
    public static string Excerpt(string content) => Excerpts.Of(content);

    [GeneratedRegex("<@([A-Za-z0-9_.-]{1,64})>")]
    private static partial Regex MentionPattern();
}
