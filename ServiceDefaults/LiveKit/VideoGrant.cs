namespace Cryb.Hosting.LiveKit;

/// <summary>
/// The <c>video</c> claim of a LiveKit access token: what its holder may do in which room. Names
/// and meanings are LiveKit's (its <c>VideoGrant</c>); a null leaves the claim out, and LiveKit
/// then applies its default.
/// </summary>
public sealed record VideoGrant
{
    public string? Room { get; init; }
    public bool? RoomJoin { get; init; }
    public bool? RoomAdmin { get; init; }
    public bool? CanPublish { get; init; }
    public bool? CanSubscribe { get; init; }
    public bool? CanPublishData { get; init; }

    /// <summary>Track sources the holder may publish: <see cref="TrackSources"/>' names.</summary>
    public IReadOnlyList<string>? CanPublishSources { get; init; }

    /// <summary>The claim as LiveKit reads it: camelCase keys, only those set.</summary>
    public Dictionary<string, object> ToClaim()
    {
        var claim = new Dictionary<string, object>();
        Add(claim, "room", Room);
        Add(claim, "roomJoin", RoomJoin);
        Add(claim, "roomAdmin", RoomAdmin);
        Add(claim, "canPublish", CanPublish);
        Add(claim, "canSubscribe", CanSubscribe);
        Add(claim, "canPublishData", CanPublishData);
        Add(claim, "canPublishSources", CanPublishSources?.ToArray());
        return claim;
    }

    private static void Add(Dictionary<string, object> claim, string name, object? value)
    {
        if (value is not null)
        {
            claim[name] = value;
        }
    }
}

/// <summary>LiveKit's names for the sources a participant publishes from.</summary>
public static class TrackSources
{
    public const string Microphone = "microphone";
    public const string Camera = "camera";
    public const string ScreenShare = "screen_share";
    public const string ScreenShareAudio = "screen_share_audio";
}
