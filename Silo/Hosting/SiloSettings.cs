using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Sockets;

namespace Cryb.Silo.Hosting;

/// <summary>How a silo listens and tunes itself (configuration section <c>Silo</c>).</summary>
public sealed class SiloSettings
{
    public const string Section = "Silo";

    /// <summary>Port for silo-to-silo traffic.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port where Orleans clients (the gateways, backend services) connect.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The address other silos and clients reach this silo at, written to the membership table.
    /// Loopback for one machine; the pod IP in Kubernetes (downward API <c>status.podIP</c>); or a
    /// host name, resolved once at start to its first IPv4 address (a compose service name, whose
    /// container IP is not known before it starts).
    /// </summary>
    [Required]
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// <see cref="AdvertisedAddress"/> as an IP address: itself when it is one, else what its name
    /// resolves to. Membership holds IP addresses, so the name is resolved here, once.
    /// </summary>
    public IPAddress ResolveAdvertisedAddress()
    {
        if (IPAddress.TryParse(AdvertisedAddress, out var address))
        {
            return address;
        }

        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(AdvertisedAddress);
        }
        catch (SocketException exception)
        {
            throw Unresolved(exception.Message, exception);
        }

        return addresses.FirstOrDefault(candidate => candidate.AddressFamily == AddressFamily.InterNetwork) ?? throw Unresolved("no IPv4 address", null);

        InvalidOperationException Unresolved(string why, Exception? inner) => new(
            $"Invalid setting Silo:AdvertisedAddress: '{AdvertisedAddress}' is neither an IP address nor a host name with an IPv4 address ({why}) (environment variable Silo__AdvertisedAddress).",
            inner);
    }

    /// <summary>Apply the schema scripts at start (safe with many silos). Off when a deploy step migrates.</summary>
    public bool MigrateOnStart { get; set; } = true;
}
