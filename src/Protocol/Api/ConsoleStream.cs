using Virt.Protocol.Errors;

namespace Virt.Protocol.Api;

/// <summary>The daemon's side of one console session, as the edge serving its client sees it.</summary>
public interface IConsoleStream
{
    /// <summary>Starts sending the guest's output to <paramref name="output"/>; once, after the open was answered.</summary>
    void Start(IConsoleOutput output);

    /// <summary>Bytes the client typed, for the guest; false when the session is over or the guest lags too far behind.</summary>
    bool Write(ReadOnlySpan<byte> data);

    /// <summary>The client left; the session ends without telling it.</summary>
    void Close();
}

/// <summary>Where a console session sends what happens to it; called from the session's own thread.</summary>
public interface IConsoleOutput
{
    /// <summary>Bytes the guest wrote; the span is valid during the call only.</summary>
    void Data(ReadOnlySpan<byte> data);

    /// <summary>The session is over: null when the guest's side closed (the domain stopped), else why (taken over by force).</summary>
    void Ended(VirtException? reason);
}
