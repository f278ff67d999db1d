using System.ComponentModel.DataAnnotations;

namespace Cryb.Gateway.Fanout;

/// <summary>How a gateway gathers a server's voice states into frames (configuration section <c>Gateway:VoiceFrames</c>).</summary>
public sealed class VoiceFrameOptions
{
    public const string Section = "Gateway:VoiceFrames";

    /// <summary>
    /// The shortest time between two <c>VoiceStatesUpdated</c> frames of one server to a connection.
    /// A state heard after a quiet window goes out at once; those heard within the window after a
    /// frame wait for its end and go out together. A busy server's frames per connection are at
    /// most one per window, whatever its calls per second: at 200 calls/s in a server of 1,000
    /// members the default made 20,000 frames/s where 25 ms made 40,000, and on a 2-core machine
    /// that CPU was the whole difference between a p99 of 84 ms and 155 ms
    /// (docs/performance.md, Voice). Zero sends every state as its push arrives.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMilliseconds(50);
}
