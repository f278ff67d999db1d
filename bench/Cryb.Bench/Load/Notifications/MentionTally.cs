using System.Globalization;

namespace Cryb.Bench.Load.Notifications;

/// <summary>
/// What the members heard of the owner's <c>@everyone</c> mentions: each mention k carries its
/// number in its content (<see cref="Content"/>), which comes back in the notification's excerpt,
/// so a member's <c>NotificationCreated</c> is matched to its mention without waiting for the send's
/// answer. Per member, a bit per mention: the first arrival counts (and is timed by the caller),
/// a second is a duplicate; a notification that names no mention of this run, another channel or
/// another kind is unexpected, and so is one reaching the author. The owner's plain messages (of
/// its warm-up and phase C) carry their own text (<see cref="PlainContent"/>, no <c>@everyone</c>): a notification
/// for one is unexpected, and counted apart as well.
/// </summary>
/// <remarks>Not thread-safe: the scenario calls it under its one lock.</remarks>
public sealed class MentionTally
{
    private const string Prefix = "@everyone bench mention k=";
    private const string PlainPrefix = "bench plain into the big channel k=";

    private readonly string _channelId;
    private readonly string _authorId;
    private readonly int _mentions;
    private readonly Dictionary<string, bool[]> _heard;
    private readonly long[] _heardPerMention;

    /// <param name="members">Every connected member but the author: those each mention must reach.</param>
    /// <param name="mentions">Sends the owner may make (their numbers are 0 to this minus one; the plain ones among them never count as heard).</param>
    public MentionTally(string channelId, string authorId, IEnumerable<string> members, int mentions)
    {
        _channelId = channelId;
        _authorId = authorId;
        _mentions = mentions;
        _heard = members.ToDictionary(member => member, _ => new bool[mentions], StringComparer.Ordinal);
        _heardPerMention = new long[mentions];
    }

    /// <summary>Members each mention must reach.</summary>
    public int Recipients => _heard.Count;

    public long Duplicates { get; private set; }

    public long Unexpected { get; private set; }

    /// <summary>Of <see cref="Unexpected"/>, the notifications for the owner's plain messages (its warm-up's and phase C's), which must write none.</summary>
    public long OfPlainMessages { get; private set; }

    /// <summary>The content of mention <paramref name="k"/>: short enough to come back whole in the excerpt (100 characters).</summary>
    public static string Content(int k) => Prefix + k.ToString(CultureInfo.InvariantCulture);

    /// <summary>The content of the owner's plain send <paramref name="k"/> into the same channel: no mention, told apart from them if it ever came back in a notification.</summary>
    public static string PlainContent(int k) => PlainPrefix + k.ToString(CultureInfo.InvariantCulture);

    /// <summary>The mention number an excerpt carries, or null when it is none of ours.</summary>
    public static int? MentionOf(string? excerpt) =>
        excerpt is not null && excerpt.StartsWith(Prefix, StringComparison.Ordinal)
        && int.TryParse(excerpt.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var k)
            ? k
            : null;

    /// <summary>
    /// Counts one arrival at <paramref name="memberId"/>; returns the mention's number when it is
    /// that member's first of it (the one to time), otherwise null.
    /// </summary>
    public int? Heard(string memberId, NotificationSeen notification)
    {
        if (notification.Kind != "everyone" || notification.ChannelId != _channelId || notification.ActorId != _authorId
            || MentionOf(notification.Excerpt) is not { } k || k < 0 || k >= _mentions
            || !_heard.TryGetValue(memberId, out var heard))
        {
            Unexpected++;
            if (notification.Excerpt?.StartsWith(PlainPrefix, StringComparison.Ordinal) == true)
            {
                OfPlainMessages++;
            }

            return null;
        }

        if (heard[k])
        {
            Duplicates++;
            return null;
        }

        heard[k] = true;
        _heardPerMention[k]++;
        return k;
    }

    /// <summary>Arrivals of mention <paramref name="k"/> counted once per member.</summary>
    public long HeardOf(int k) => _heardPerMention[k];

    /// <summary>Over the mentions <paramref name="ks"/>, the members each one missed.</summary>
    public long MissedOf(IEnumerable<int> ks) => ks.Sum(k => Recipients - _heardPerMention[k]);
}
