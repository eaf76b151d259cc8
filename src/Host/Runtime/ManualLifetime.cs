using Microsoft.Extensions.Hosting;

namespace Virt.Host.Runtime;

/// <summary>
/// The runtime's owner (virtd, `virt run`, an embedding program) decides when to stop and handles signals
/// itself; the host must not stop the actor system on its own at SIGTERM while a stop policy still needs it.
/// </summary>
internal sealed class ManualLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
