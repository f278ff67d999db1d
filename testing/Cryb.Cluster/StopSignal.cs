using System.Runtime.InteropServices;

namespace Cryb.Cluster;

/// <summary>
/// SIGINT (Ctrl-C) and SIGTERM as a cancellation, instead of the runtime's immediate exit: the
/// cluster's processes run in sessions of their own and are stopped in order by the tool.
/// </summary>
public sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignal()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
    }

    public CancellationToken Token => _stop.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        _stop.Cancel();
    }
}
