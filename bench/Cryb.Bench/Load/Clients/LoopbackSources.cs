using System.Net;
using System.Net.Sockets;

namespace Cryb.Bench.Load.Clients;

/// <summary>
/// Spreads connections to a loopback gateway over the source addresses 127.0.0.1 to 127.0.0.8.
/// One source address has one ephemeral port per connection to a given address and port (Linux's
/// default range, 32768-60999, is 28,232 of them), and <c>idle</c> holds 50,000 connections on one
/// gateway. Every 127.x.y.z address is the loopback interface on Linux, so nothing needs setting up.
/// </summary>
public static class LoopbackSources
{
    private const int Count = 8;
    private static readonly HttpMessageInvoker[] Invokers = Enumerable.Range(1, Count)
        .Select(last => new HttpMessageInvoker(new SocketsHttpHandler { ConnectCallback = BoundTo(new IPAddress([127, 0, 0, (byte)last])) }))
        .ToArray();

    private static int s_next = -1;

    /// <summary>The HTTP invoker for the next connection to <paramref name="address"/>, or null when it is not an IPv4 loopback address.</summary>
    public static HttpMessageInvoker? For(Uri address) =>
        IPAddress.TryParse(address.Host, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork && IPAddress.IsLoopback(ip)
            ? Invokers[(int)((uint)Interlocked.Increment(ref s_next) % Count)]
            : null;

    private static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> BoundTo(IPAddress source) => async (context, cancellation) =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellation);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    };
}
