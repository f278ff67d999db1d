using System.Net;
using System.Net.Sockets;

namespace Cryb.Tests.Infrastructure;

/// <summary>Ports the OS reports free on loopback, so parallel runs and a running `./cryb up` do not collide.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
