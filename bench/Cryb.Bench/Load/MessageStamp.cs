using System.Buffers.Text;
using System.Globalization;

namespace Cryb.Bench.Load;

/// <summary>
/// What a bench message's content carries: which sender sent it, its number k for that sender,
/// and its intended send time on <see cref="Measurement.BenchClock"/>. The time is last, so a
/// receiver parses only the digits after the final <c>t=</c>: no split, no allocation.
/// </summary>
public static class MessageStamp
{
    private const string TimeKey = " t=";

    /// <summary>The content: <c>bench s=3 k=41 t=12345678</c>, then <paramref name="padding"/> characters so payload size can be chosen.</summary>
    public static string Format(int sender, long k, long intendedMicros, string padding) =>
        string.Create(CultureInfo.InvariantCulture, $"bench s={sender} k={k}{padding}{TimeKey}{intendedMicros}");

    /// <summary>The intended send time, or -1 when the content is not a bench stamp.</summary>
    public static long IntendedMicros(string? content)
    {
        if (content is null)
        {
            return -1;
        }

        var at = content.LastIndexOf(TimeKey, StringComparison.Ordinal);
        return at >= 0 && long.TryParse(content.AsSpan(at + TimeKey.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
            ? micros
            : -1;
    }

    /// <summary>As <see cref="IntendedMicros(string?)"/>, on the content's UTF-8 bytes as received: no string is made.</summary>
    public static long IntendedMicros(ReadOnlySpan<byte> utf8Content)
    {
        var at = utf8Content.LastIndexOf(" t="u8);
        if (at < 0)
        {
            return -1;
        }

        var digits = utf8Content[(at + TimeKey.Length)..];
        return Utf8Parser.TryParse(digits, out long micros, out var used) && used == digits.Length && used > 0 && digits[0] is >= (byte)'0' and <= (byte)'9'
            ? micros
            : -1;
    }

    /// <summary>Padding of the given length for <see cref="Format"/>: a space then letters, which the server accepts as content.</summary>
    public static string Padding(int length) => length <= 0 ? "" : " " + new string('x', length - 1);
}
