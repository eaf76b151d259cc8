using System.Runtime.InteropServices;

namespace Virt.Host.Embedded;

/// <summary>
/// The signals that end `virt run` (SIGINT, SIGTERM, SIGHUP, SIGQUIT): each is caught, never left to kill the process
/// with the VM still running, and turns into <see cref="Received"/>.
/// </summary>
internal sealed class RunSignals : IDisposable
{
    private static readonly PosixSignal[] Handled = [PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT];
    private readonly CancellationTokenSource _received = new();
    private readonly List<PosixSignalRegistration> _registrations = [];

    public RunSignals()
    {
        foreach (var signal in Handled)
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                try { _received.Cancel(); }
                catch (ObjectDisposedException) { }
            }));
    }

    public CancellationToken Received => _received.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
        _received.Dispose();
    }
}
