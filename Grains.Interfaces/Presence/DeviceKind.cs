namespace Cryb.Presence;

/// <summary>The kind of device behind a connection, from the client's <c>device</c> query parameter or its user agent.</summary>
[GenerateSerializer, Alias("cryb.DeviceKind")]
public enum DeviceKind
{
    Web = 0,
    Mobile = 1,
    Desktop = 2,
}
