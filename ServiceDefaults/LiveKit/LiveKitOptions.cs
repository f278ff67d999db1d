using System.ComponentModel.DataAnnotations;

namespace Cryb.Hosting.LiveKit;

/// <summary>
/// Where the LiveKit server that carries the media runs, and the API key pair it shares with us
/// (configuration section <c>Voice:LiveKit</c>, environment variables <c>Voice__LiveKit__*</c>).
/// All three unset: voice is off and refused with <c>voice_unavailable</c>. Some set: the process
/// does not start, since half a configuration is a typo, not a choice.
/// </summary>
public sealed class LiveKitOptions : IValidatableObject
{
    public const string Section = "Voice:LiveKit";

    /// <summary>The URL clients connect their media to (<c>wss://…</c>); its http(s) twin reaches the RoomService API.</summary>
    public string? Url { get; set; }

    /// <summary>The API key: the <c>iss</c> of every token we sign.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The API secret that signs the tokens (HS256) and verifies LiveKit's webhooks.</summary>
    public string? ApiSecret { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Url) || !string.IsNullOrWhiteSpace(ApiKey) || !string.IsNullOrWhiteSpace(ApiSecret);

    /// <summary>
    /// The RoomService endpoint: LiveKit serves its Twirp API on the same host and port as the media
    /// signalling. A method, not a property: options validation reads every property, and this has
    /// no answer while voice is off.
    /// </summary>
    public Uri ApiBase() => new UriBuilder(new Uri(Url!)) { Scheme = new Uri(Url!).Scheme is "wss" or "https" ? "https" : "http", Path = "/" }.Uri;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || url.Scheme is not ("ws" or "wss" or "http" or "https"))
        {
            yield return new ValidationResult("must be the LiveKit server's ws://, wss://, http:// or https:// URL (environment variable Voice__LiveKit__Url)", [nameof(Url)]);
        }

        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            yield return new ValidationResult("must be set with Voice__LiveKit__Url: the LiveKit API key (environment variable Voice__LiveKit__ApiKey)", [nameof(ApiKey)]);
        }

        // HS256 wants a key of at least 256 bits; LiveKit's generated secrets are longer.
        if (ApiSecret is null || ApiSecret.Length < 32)
        {
            yield return new ValidationResult("must be at least 32 characters: the LiveKit API secret (environment variable Voice__LiveKit__ApiSecret)", [nameof(ApiSecret)]);
        }
    }
}
