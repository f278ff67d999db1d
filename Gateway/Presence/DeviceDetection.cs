using Cryb.Presence;

namespace Cryb.Gateway.Presence;

/// <summary>
/// A connection's device kind: the client says so with <c>?device=web|mobile|desktop</c> on the hub
/// URL, or the user agent tells: a mobile browser or app, another browser, or else a desktop program.
/// </summary>
public static class DeviceDetection
{
    public static DeviceKind Of(HttpContext? http)
    {
        if (http is null)
        {
            return DeviceKind.Web;
        }

        if (Enum.TryParse<DeviceKind>(http.Request.Query["device"], ignoreCase: true, out var stated) && Enum.IsDefined(stated))
        {
            return stated;
        }

        var agent = http.Request.Headers.UserAgent.ToString();
        if (agent.Contains("Mobile", StringComparison.OrdinalIgnoreCase) || agent.Contains("Android", StringComparison.OrdinalIgnoreCase))
        {
            return DeviceKind.Mobile;
        }

        return agent.Contains("Mozilla", StringComparison.Ordinal) && !agent.Contains("Electron", StringComparison.Ordinal)
            ? DeviceKind.Web
            : DeviceKind.Desktop;
    }
}
