using Virt.Protocol.Api;
using Virt.Protocol.Connection;
using Virt.Protocol.Errors;
using Virt.Protocol.Rpc;
using Virt.Protocol.Events;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Protocol.Client;

/// <summary>
/// A client connection to a Virt runtime, whatever the transport: every domain operation as a method,
/// errors as <see cref="VirtException"/>, lifecycle events as an async stream.
/// </summary>
public sealed class VirtConnection : IAsyncDisposable
{
    private readonly IVirtTransport _transport;
    private readonly VirtConnectionOptions _options;

    private VirtConnection(VirtUri uri, IVirtTransport transport, VirtConnectionOptions options)
    {
        Uri = uri;
        _transport = transport;
        _options = options;
    }

    public VirtUri Uri { get; }

    /// <summary>Completes when the connection to the runtime has ended.</summary>
    public Task Completion => _transport.Completion;

    public static Task<VirtConnection> OpenAsync(string uri, VirtConnectionOptions? options = null, CancellationToken ct = default) =>
        OpenAsync(VirtUri.Parse(uri), options, ct);

    public static async Task<VirtConnection> OpenAsync(VirtUri uri, VirtConnectionOptions? options = null, CancellationToken ct = default)
    {
        options ??= new VirtConnectionOptions();
        var transport = await TransportRegistry.OpenAsync(uri, options, ct).ConfigureAwait(false);
        return new VirtConnection(uri, transport, options);
    }

    /// <summary>Sends any command and returns its typed reply, throwing the error a refusal carries.</summary>
    public async Task<T> CallAsync<T>(IDomainCommand command, CancellationToken ct = default) where T : IDomainReply
    {
        var reply = await _transport.CallAsync(command, _options.CallTimeout, ct).ConfigureAwait(false);
        return reply switch
        {
            T typed => typed,
            ErrorReply error => throw new VirtException(error.Code, error.Message),
            _ => throw new VirtException(ErrorCode.Rpc, $"the daemon answered {Procedures.Describe(command)} with a reply of another kind"),
        };
    }

    public Task<DomainSummary> DefineAsync(string xml, CancellationToken ct = default) => CallAsync<DomainSummary>(new DefineDomain(xml), ct);
    public Task<DomainSummary> UndefineAsync(DomainRef domain, CancellationToken ct = default) => CallAsync<DomainSummary>(new UndefineDomain(domain), ct);
    public Task<DomainSummary> CreateAsync(string xml, DomainCreateFlags flags = DomainCreateFlags.None, CancellationToken ct = default) => CallAsync<DomainSummary>(new CreateDomain(xml, flags), ct);
    public Task<DomainSummary> LookupAsync(DomainRef domain, CancellationToken ct = default) => CallAsync<DomainSummary>(new LookupDomain(domain), ct);
    public async Task<IReadOnlyList<DomainSummary>> ListAsync(ListDomainsFlags filter = ListDomainsFlags.All, CancellationToken ct = default) => (await CallAsync<DomainList>(new ListDomains(filter), ct).ConfigureAwait(false)).Domains;
    public Task<DomainSummary> SetAutostartAsync(DomainRef domain, bool enabled, CancellationToken ct = default) => CallAsync<DomainSummary>(new SetAutostart(domain, enabled), ct);
    public async Task<string> GetXmlAsync(DomainRef domain, bool inactive = false, CancellationToken ct = default) => (await CallAsync<DomainXmlDescription>(new GetDomainXml(domain, inactive), ct).ConfigureAwait(false)).Xml;
    public Task<DomainInfo> GetInfoAsync(DomainRef domain, CancellationToken ct = default) => CallAsync<DomainInfo>(new GetDomainInfo(domain), ct);
    public Task<DomainSummary> StartAsync(DomainRef domain, DomainCreateFlags flags = DomainCreateFlags.None, CancellationToken ct = default) => CallAsync<DomainSummary>(new StartDomain(domain, flags), ct);
    public Task<DomainSummary> ShutdownAsync(DomainRef domain, CancellationToken ct = default) => CallAsync<DomainSummary>(new ShutdownDomain(domain), ct);
    public Task<DomainSummary> DestroyAsync(DomainRef domain, CancellationToken ct = default) => CallAsync<DomainSummary>(new DestroyDomain(domain), ct);
    public Task<DomainSummary> SuspendAsync(DomainRef domain, CancellationToken ct = default) => CallAsync<DomainSummary>(new SuspendDomain(domain), ct);
    public Task<DomainSummary> ResumeAsync(DomainRef domain, CancellationToken ct = default) => CallAsync<DomainSummary>(new ResumeDomain(domain), ct);
    public Task<DomainSummary> RebootAsync(DomainRef domain, CancellationToken ct = default) => CallAsync<DomainSummary>(new RebootDomain(domain), ct);
    public Task<DomainSummary> ResetAsync(DomainRef domain, CancellationToken ct = default) => CallAsync<DomainSummary>(new ResetDomain(domain), ct);

    /// <summary>
    /// Subscribes (replacing any earlier subscription) and returns once the runtime has confirmed it, so no
    /// event after this call is missed; the stream then yields events until the connection ends or ct is cancelled.
    /// </summary>
    public async Task<IAsyncEnumerable<DomainLifecycleEvent>> SubscribeEventsAsync(EventSubscription? subscription = null, CancellationToken ct = default)
    {
        await _transport.SubscribeAsync(subscription ?? new EventSubscription(), ct).ConfigureAwait(false);
        return _transport.Events(ct);
    }

    /// <summary>As <see cref="SubscribeEventsAsync"/>, with the reboot and device events too (lifecycle only over Akka.Remote).</summary>
    public async Task<IAsyncEnumerable<object>> SubscribeAllEventsAsync(EventSubscription? subscription = null, CancellationToken ct = default)
    {
        await _transport.SubscribeAsync(subscription ?? new EventSubscription(), ct).ConfigureAwait(false);
        return _transport.AllEvents(ct);
    }

    /// <summary>
    /// Opens a running domain's console (virsh console): over the daemon socket its bytes follow on the connection; an
    /// embedded runtime hands over the session itself; Akka.Remote carries no console.
    /// </summary>
    public async Task<IConsoleChannel> OpenConsoleAsync(ConsoleCommands.OpenConsole command, CancellationToken ct = default)
    {
        if (_transport is IConsoleTransport consoles)
            return await consoles.OpenConsoleAsync(command, _options.CallTimeout, ct).ConfigureAwait(false);
        var opened = await CallAsync<ConsoleReplies.ConsoleOpened>(command, ct).ConfigureAwait(false);
        return opened.Stream is { } stream
            ? new LocalConsoleChannel(opened.Device, stream)
            : throw new VirtException(ErrorCode.ConfigUnsupported, $"{Uri} carries no console stream; use the daemon's socket");
    }

    public ValueTask DisposeAsync() => _transport.DisposeAsync();
}
