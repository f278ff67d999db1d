namespace Cryb.Tests.Fuzz;

/// <summary>What a hub parameter takes, as far as binding a frame's argument to it goes.</summary>
public enum ParameterShape
{
    /// <summary>A string: a channel, user or message id, a name, content.</summary>
    Text,

    /// <summary>A string that may be null.</summary>
    OptionalText,

    Flag,

    /// <summary>A <c>long?</c> (a seq to resume or page from).</summary>
    OptionalNumber,

    /// <summary>A <c>long</c>.</summary>
    Number,

    /// <summary>An <c>int</c> (a page size).</summary>
    SmallNumber,

    /// <summary>A <c>string[]</c>.</summary>
    TextList,

    /// <summary>An enum or a record: how they bind is the protocol's serializer's business, so the fuzzer only miscounts them.</summary>
    Other,
}

/// <summary>
/// The hub's methods as a frame has to match them (ChatHub, docs/protocol.md). Listed by hand:
/// the fuzzer must know what it aims at, and a renamed method shows up as its frames being
/// answered as unknown methods.
/// </summary>
public static class HubSignatures
{
    public static readonly IReadOnlyList<(string Name, ParameterShape[] Parameters)> All =
    [
        ("SetPresence", [ParameterShape.Other, ParameterShape.Other]),
        ("GetPresence", [ParameterShape.TextList]),
        ("ReportActivity", []),
        ("StartTyping", [ParameterShape.Text]),
        ("StopTyping", [ParameterShape.Text]),
        ("CreateChannel", [ParameterShape.Text, ParameterShape.Flag]),
        ("OpenDirectMessage", [ParameterShape.Text]),
        ("JoinChannel", [ParameterShape.Text, ParameterShape.OptionalNumber]),
        ("InviteToChannel", [ParameterShape.Text, ParameterShape.Text]),
        ("LeaveChannel", [ParameterShape.Text]),
        ("KickMember", [ParameterShape.Text, ParameterShape.Text]),
        ("BanMember", [ParameterShape.Text, ParameterShape.Text]),
        ("SetMemberRole", [ParameterShape.Text, ParameterShape.Text, ParameterShape.Other]),
        ("GetMembers", [ParameterShape.Text]),
        ("UpdateChannel", [ParameterShape.Text, ParameterShape.Text, ParameterShape.OptionalText]),
        ("DeleteChannel", [ParameterShape.Text]),
        ("SendMessage", [ParameterShape.Text, ParameterShape.Text, ParameterShape.OptionalText, ParameterShape.OptionalText]),
        ("EditMessage", [ParameterShape.Text, ParameterShape.Text, ParameterShape.Text]),
        ("DeleteMessage", [ParameterShape.Text, ParameterShape.Text]),
        ("AddReaction", [ParameterShape.Text, ParameterShape.Text, ParameterShape.Text]),
        ("RemoveReaction", [ParameterShape.Text, ParameterShape.Text, ParameterShape.Text]),
        ("GetHistory", [ParameterShape.Text, ParameterShape.OptionalNumber, ParameterShape.SmallNumber]),
        ("MarkRead", [ParameterShape.Text, ParameterShape.Number]),
        ("CreateGuild", [ParameterShape.Text]),
        ("UpdateGuild", [ParameterShape.Text, ParameterShape.Text]),
        ("DeleteGuild", [ParameterShape.Text]),
        ("TransferGuildOwnership", [ParameterShape.Text, ParameterShape.Text]),
        ("GetGuild", [ParameterShape.Text]),
        ("CreateGuildChannel", [ParameterShape.Text, ParameterShape.Other]),
        ("UpdateGuildChannel", [ParameterShape.Text, ParameterShape.Text, ParameterShape.Other]),
        ("MoveGuildChannel", [ParameterShape.Text, ParameterShape.Text, ParameterShape.SmallNumber, ParameterShape.OptionalText]),
        ("DeleteGuildChannel", [ParameterShape.Text, ParameterShape.Text]),
        ("CreateRole", [ParameterShape.Text, ParameterShape.Other]),
        ("UpdateRole", [ParameterShape.Text, ParameterShape.Text, ParameterShape.Other]),
        ("DeleteRole", [ParameterShape.Text, ParameterShape.Text]),
        ("AddMemberRole", [ParameterShape.Text, ParameterShape.Text, ParameterShape.Text]),
        ("RemoveMemberRole", [ParameterShape.Text, ParameterShape.Text, ParameterShape.Text]),
        ("SetNickname", [ParameterShape.Text, ParameterShape.Text, ParameterShape.OptionalText]),
        ("CreateInvite", [ParameterShape.Text, ParameterShape.SmallNumber, ParameterShape.SmallNumber]),
        ("GetInvite", [ParameterShape.Text]),
        ("GetInvites", [ParameterShape.Text]),
        ("RevokeInvite", [ParameterShape.Text, ParameterShape.Text]),
        ("JoinGuild", [ParameterShape.Text]),
        ("LeaveGuild", [ParameterShape.Text]),
        ("KickFromGuild", [ParameterShape.Text, ParameterShape.Text]),
        ("BanFromGuild", [ParameterShape.Text, ParameterShape.Text, ParameterShape.SmallNumber, ParameterShape.OptionalText]),
        ("UnbanFromGuild", [ParameterShape.Text, ParameterShape.Text]),
        ("GetGuildBans", [ParameterShape.Text, ParameterShape.OptionalText]),
        ("RequestGuildMembers", [ParameterShape.Text, ParameterShape.OptionalText, ParameterShape.TextList, ParameterShape.SmallNumber, ParameterShape.Flag, ParameterShape.OptionalText]),
        ("JoinVoice", [ParameterShape.Text, ParameterShape.Flag, ParameterShape.Flag]),
        ("LeaveVoice", []),
        ("UpdateVoiceState", [ParameterShape.Flag, ParameterShape.Flag, ParameterShape.Flag, ParameterShape.Flag]),
        ("SetMemberVoice", [ParameterShape.Text, ParameterShape.Text, ParameterShape.Other, ParameterShape.Other, ParameterShape.OptionalText, ParameterShape.Flag]),
        ("GetRelationships", []),
        ("SendFriendRequest", [ParameterShape.Text]),
        ("AcceptFriendRequest", [ParameterShape.Text]),
        ("DeclineFriendRequest", [ParameterShape.Text]),
        ("CancelFriendRequest", [ParameterShape.Text]),
        ("RemoveFriend", [ParameterShape.Text]),
        ("BlockUser", [ParameterShape.Text]),
        ("UnblockUser", [ParameterShape.Text]),
        ("GetPrivacySettings", []),
        ("GetInvitations", []),
        ("UnbanMember", [ParameterShape.Text, ParameterShape.Text]),
        ("AcceptInvitation", [ParameterShape.Text]),
        ("DeclineInvitation", [ParameterShape.Text]),
        ("SetPrivacySettings", [ParameterShape.Other]),
    ];

    /// <summary>Methods whose every parameter has a shape the fuzzer can get wrong on purpose.</summary>
    public static readonly IReadOnlyList<(string Name, ParameterShape[] Parameters)> Typed =
        All.Where(method => method.Parameters.Length > 0 && !method.Parameters.Contains(ParameterShape.Other)).ToArray();
}
