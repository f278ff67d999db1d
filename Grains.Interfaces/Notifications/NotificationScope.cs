using Cryb.Errors;

namespace Cryb.Notifications;

/// <summary>
/// What a notification setting applies to: <c>guild:&lt;id&gt;</c> or <c>channel:&lt;id&gt;</c> on the
/// wire (a channel made without a server and its server share an id, so the kind is spelled out).
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.NotificationScope")]
public sealed record NotificationScope([property: Id(0)] NotificationScopeKind Kind, [property: Id(1)] string Id)
{
    public const string GuildPrefix = "guild:";
    public const string ChannelPrefix = "channel:";

    public override string ToString() => (Kind == NotificationScopeKind.Guild ? GuildPrefix : ChannelPrefix) + Id;

    /// <summary>The scope a client wrote; <c>invalid_argument</c> for anything else.</summary>
    public static NotificationScope Parse(string? scope)
    {
        if (scope is not null)
        {
            if (scope.StartsWith(GuildPrefix, StringComparison.Ordinal) && Identity.Ids.IsValid(scope[GuildPrefix.Length..]))
            {
                return new(NotificationScopeKind.Guild, scope[GuildPrefix.Length..]);
            }

            if (scope.StartsWith(ChannelPrefix, StringComparison.Ordinal) && Identity.Ids.IsValid(scope[ChannelPrefix.Length..]))
            {
                return new(NotificationScopeKind.Channel, scope[ChannelPrefix.Length..]);
            }
        }

        throw new ChatException(ErrorCodes.InvalidArgument, "A scope is guild:<id> or channel:<id>.");
    }
}

/// <summary>The stored numbers of <see cref="NotificationScope.Kind"/>.</summary>
[GenerateSerializer, Alias("cryb.NotificationScopeKind")]
public enum NotificationScopeKind
{
    Guild = 1,
    Channel = 2,
}
