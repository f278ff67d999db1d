using Cryb.Channels;
using Cryb.Errors;

namespace Cryb.Grains.Channels;

/// <summary>Validation of channel fields, in the grain so backend services are held to it too.</summary>
public static class ChannelRules
{
    public const int MaxTopicLength = 1000;

    public static string ValidateName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > ChannelLimits.MaxNameLength || trimmed.Any(char.IsControl))
        {
            throw new ChatException(ErrorCodes.InvalidArgument,
                $"A channel name is 1 to {ChannelLimits.MaxNameLength} characters without control characters.");
        }

        return trimmed;
    }

    public static string ValidateTopic(string? topic)
    {
        var trimmed = topic?.Trim() ?? "";
        if (trimmed.Length > MaxTopicLength || trimmed.Any(c => char.IsControl(c) && c != '\n'))
        {
            throw new ChatException(ErrorCodes.InvalidArgument,
                $"A topic is at most {MaxTopicLength} characters without control characters.");
        }

        return trimmed;
    }
}
