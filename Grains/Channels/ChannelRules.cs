using Cryb.Channels;
using Cryb.Errors;

namespace Cryb.Grains.Channels;

/// <summary>Validation of channel fields, in the grain so backend services are held to it too.</summary>
public static class ChannelRules
{
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
}
