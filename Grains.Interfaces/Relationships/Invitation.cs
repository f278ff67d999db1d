namespace Cryb.Relationships;

/// <summary>
/// An invitation to a channel (a server's too: a channel created without a server is its server's)
/// waiting for the invitee: accepting it joins them as the inviter's invite did before consent.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.Invitation")]
public sealed record Invitation(
    [property: Id(0)] string ChannelId,
    [property: Id(1)] string ChannelName,
    [property: Id(2)] string InviterId,
    [property: Id(3)] DateTimeOffset CreatedAt);

/// <summary>Pending invitations an invitee keeps; an older one goes when a newer one comes past this.</summary>
public static class InvitationLimits
{
    public const int MaxPending = 100;
}
