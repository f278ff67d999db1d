namespace Cryb.Guilds;

/// <summary>
/// A whole server's structure, every channel included: what a gateway keeps per server it serves,
/// to compute each local member's visible channels with <see cref="GuildPermissions"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildView")]
public sealed record GuildView(
    [property: Id(0)] GuildInfo Guild,
    [property: Id(1)] IReadOnlyList<GuildRole> Roles,
    [property: Id(2)] IReadOnlyList<GuildChannel> Channels)
{
    /// <summary>
    /// The newest version the server has given to any change, structural or of a member (a removed
    /// member's too, though its row is gone), when the view was read: a client holding this version
    /// or a later one missed nothing of the server (see <see cref="GuildState.ResumeVersion"/>).
    /// </summary>
    [Id(3)]
    public long LastVersion { get; init; }

    /// <summary>
    /// Each channel with its permission inputs, by channel id: the roles' permissions are read once
    /// for them all, and the result is kept as long as the view, since deciding a connection's
    /// channels asks for one channel's inputs at a time.
    /// </summary>
    public IReadOnlyDictionary<string, GuildChannelAccess> ChannelAccess()
    {
        var rolePermissions = Roles.ToDictionary(role => role.Id, role => role.Permissions);
        var mentionable = Roles.Where(role => role.Mentionable).Select(role => role.Id).ToArray();
        return Channels.ToDictionary(
            channel => channel.Id,
            channel => new GuildChannelAccess(channel, new GuildAccess(Guild.Id, Guild.OwnerId, rolePermissions, channel.Overwrites, Guild.Version) { MentionableRoleIds = mentionable }));
    }
}

/// <summary>
/// A server as one member sees it (the <c>GuildCreated</c> payload): the channels they can view,
/// every role, their own member record and, unless the server is <see cref="Large"/>, its members.
/// <see cref="VoiceStates"/> are those of the voice channels they can view, as the gateway knows
/// them (the server's grain, which keeps no voice state, leaves it null).
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildState")]
public sealed record GuildState(
    [property: Id(0)] GuildInfo Guild,
    [property: Id(1)] IReadOnlyList<GuildRole> Roles,
    [property: Id(2)] IReadOnlyList<GuildChannel> Channels,
    [property: Id(3)] GuildMember Member,
    [property: Id(4)] IReadOnlyList<GuildMember> Members,
    [property: Id(5)] bool Large)
{
    /// <summary>
    /// For a server at or below <see cref="GuildLimits.LargeThreshold"/> members: the presence of
    /// each member who is online, idle or in do-not-disturb (offline ones left out); empty for a
    /// large server, and from the server's grain, which does not read presence.
    /// </summary>
    [Id(6)]
    public IReadOnlyList<Presence.PresenceInfo> Presences { get; init; } = [];

    /// <summary>
    /// The newest version of any change of the server this state includes (or that did not concern
    /// the member); 0 from the server's grain. A client keeps the highest of this and the versions of
    /// the server's events it applied, and gives it back to <c>ResumeGuilds</c> when it reconnects.
    /// </summary>
    [Id(7)]
    public long ResumeVersion { get; init; }

    /// <summary>Who is in the server's voice channels the member can view (null from the server's grain: gateways add it).</summary>
    [Id(8)]
    public IReadOnlyList<Voice.VoiceState>? VoiceStates { get; init; }
}

/// <summary>The channel's place in its server and its permission inputs, for the channel's grain.</summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildChannelAccess")]
public sealed record GuildChannelAccess(
    [property: Id(0)] GuildChannel Channel,
    [property: Id(1)] GuildAccess Access);
