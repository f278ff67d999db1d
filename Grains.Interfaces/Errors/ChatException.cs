namespace Cryb.Errors;

/// <summary>
/// A refusal with a stable <see cref="Code"/> from <see cref="ErrorCodes"/>. Grains throw it for
/// bad input and failed authorization before changing anything; the gateway turns it into a
/// <c>HubException</c> carrying the code.
/// </summary>
[GenerateSerializer, Alias("cryb.ChatException")]
public sealed class ChatException : Exception
{
    public ChatException(string code, string message) : base(message) => Code = code;

    /// <summary>The stable error code.</summary>
    [Id(0)]
    public string Code { get; private set; }
}
