using System.Net;
using System.Net.Sockets;

namespace Cryb.Testing;

/// <summary>
/// Loopback ports that are free now and stay free: taken below Linux's ephemeral range
/// (32768-60999), where the OS never picks local ports for outgoing connections. A port the OS
/// handed out for a bind to 0 was in that range, and a PostgreSQL, Redis or Orleans client
/// connection could take it before the process meant to listen on it started.
/// </summary>
public static class FreePort
{
    private const int First = 20000;
    private const int End = 32000;
    private static readonly Lock Gate = new();
    private static readonly HashSet<int> HandedOut = [];

    public static int Next()
    {
        lock (Gate)
        {
            // Random, so parallel test runs on one machine rarely try the same ports.
            while (true)
            {
                var port = Random.Shared.Next(First, End);
                if (HandedOut.Add(port) && IsFree(port))
                {
                    return port;
                }
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
