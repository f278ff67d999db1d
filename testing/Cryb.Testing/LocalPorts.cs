namespace Cryb.Testing;

/// <summary>
/// Which loopback ports the parts of a local cluster listen on: fixed ones counting up from a first
/// (`./cryb up`, so the printed URLs stay the same from run to run), or free ones picked per process
/// (tests and the fault suite, which run beside each other and beside `./cryb up`).
/// </summary>
public abstract record LocalPorts
{
    /// <summary>Free ports, a new one for every part asked about.</summary>
    public static LocalPorts Free { get; } = new FreePorts();

    /// <summary>The HTTP port (health, dashboard, metrics) of silo <paramref name="index"/>, from 0.</summary>
    public abstract int SiloHttp(int index);

    /// <summary>The silo-to-silo port of silo <paramref name="index"/>.</summary>
    public abstract int Silo(int index);

    /// <summary>The Orleans client port of silo <paramref name="index"/>.</summary>
    public abstract int OrleansGateway(int index);

    /// <summary>The HTTP port (the hub) of gateway <paramref name="index"/>.</summary>
    public abstract int Gateway(int index);

    public abstract int Postgres { get; }

    public abstract int Redis { get; }

    private sealed record FreePorts : LocalPorts
    {
        public override int SiloHttp(int index) => FreePort.Next();
        public override int Silo(int index) => FreePort.Next();
        public override int OrleansGateway(int index) => FreePort.Next();
        public override int Gateway(int index) => FreePort.Next();
        public override int Postgres => FreePort.Next();
        public override int Redis => FreePort.Next();
    }
}

/// <summary>Ports counting up from the first of each kind: silo <c>i</c> on <c>SiloHttpPort + i</c>, and so on.</summary>
public sealed record FixedPorts(int GatewayPort, int SiloHttpPort, int SiloPort, int OrleansGatewayPort, int PostgresPort, int RedisPort) : LocalPorts
{
    public override int SiloHttp(int index) => SiloHttpPort + index;
    public override int Silo(int index) => SiloPort + index;
    public override int OrleansGateway(int index) => OrleansGatewayPort + index;
    public override int Gateway(int index) => GatewayPort + index;
    public override int Postgres => PostgresPort;
    public override int Redis => RedisPort;
}
