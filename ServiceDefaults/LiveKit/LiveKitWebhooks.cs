using System.Security.Cryptography;
using System.Text.Json;

namespace Cryb.Hosting.LiveKit;

/// <summary>
/// Checks a webhook LiveKit posted: the <c>Authorization</c> header is a token signed with our API
/// key and secret whose <c>sha256</c> claim is the base64 SHA-256 of the exact body. Anything else
/// is refused, whatever the body says.
/// </summary>
public sealed class LiveKitWebhooks(LiveKitTokens tokens)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The event, or why it was refused (<see cref="WebhookCheck.Refusal"/>).</summary>
    public async Task<WebhookCheck> VerifyAsync(ReadOnlyMemory<byte> body, string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return WebhookCheck.Refused("no Authorization header");
        }

        // LiveKit sends the bare token; a proxy or a hand-made request may add the scheme.
        var token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : authorization.Trim();
        var claims = await tokens.VerifyAsync(token);
        if (claims is null)
        {
            return WebhookCheck.Refused("the token is not ours or no longer valid");
        }

        if (!claims.TryGetPayloadValue<string>("sha256", out var claimed) || !TryBase64(claimed, out var claimedHash))
        {
            return WebhookCheck.Refused("the token carries no body hash");
        }

        // Constant time: the comparison must not tell a forger how much of a guessed hash was right.
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(body.Span), claimedHash))
        {
            return WebhookCheck.Refused("the body is not the one the token was signed for");
        }

        try
        {
            var webhook = JsonSerializer.Deserialize<LiveKitWebhook>(body.Span, Json);
            return webhook is { Event.Length: > 0, Id.Length: > 0 }
                ? WebhookCheck.Accepted(webhook)
                : WebhookCheck.Refused("the body names no event or event id");
        }
        catch (JsonException)
        {
            return WebhookCheck.Refused("the body is not JSON");
        }
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        bytes = new byte[32];
        return Convert.TryFromBase64String(text, bytes, out var written) && written == 32;
    }
}

/// <summary>The outcome of <see cref="LiveKitWebhooks.VerifyAsync"/>: the event, or the refusal's reason.</summary>
public sealed record WebhookCheck(LiveKitWebhook? Webhook, string? Refusal)
{
    public static WebhookCheck Accepted(LiveKitWebhook webhook) => new(webhook, null);

    public static WebhookCheck Refused(string reason) => new(null, reason);
}

/// <summary>The parts of a LiveKit webhook event voice reads (LiveKit's <c>WebhookEvent</c>, JSON names).</summary>
public sealed record LiveKitWebhook(string Event, string Id, LiveKitRoom? Room, LiveKitParticipant? Participant, long CreatedAt);

/// <summary>The room a webhook is about.</summary>
public sealed record LiveKitRoom(string Name, string? Sid);

/// <summary>The participant a webhook is about; <see cref="Metadata"/> is what our token gave it.</summary>
public sealed record LiveKitParticipant(string Identity, string? Sid, string? Metadata);
