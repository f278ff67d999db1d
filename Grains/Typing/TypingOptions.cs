using System.ComponentModel.DataAnnotations;

namespace Cryb.Grains.Typing;

/// <summary>Typing timings (configuration section <c>Typing</c> on the silos).</summary>
public sealed class TypingOptions
{
    public const string Section = "Typing";

    /// <summary>A typer not renewed for this long stops showing.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Expiry { get; set; } = TimeSpan.FromSeconds(10);
}
