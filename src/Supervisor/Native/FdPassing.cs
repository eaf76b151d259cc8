using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Virt.Supervisor.Native;

/// <summary>
/// File descriptors over UNIX sockets (SCM_RIGHTS), which .NET has no API for: a socket pair, a send that carries one
/// descriptor with its bytes in a single sendmsg, and the matching receive.
/// </summary>
public static class FdPassing
{
    // CMSG_SPACE(sizeof(int)): the header and the int, padded to 8.
    private const int ControlSize = LibC.CmsgHeaderSize + 8;

    /// <summary>socketpair(AF_UNIX, SOCK_STREAM), both ends close-on-exec.</summary>
    public static (SafeFileHandle First, SafeFileHandle Second) SocketPair()
    {
        var fds = new int[2];
        if (LibC.SocketPair(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0, fds) != 0)
            throw new IOException($"socketpair failed: {LibC.StrError(Marshal.GetLastPInvokeError())}");
        return (new SafeFileHandle(fds[0], ownsHandle: true), new SafeFileHandle(fds[1], ownsHandle: true));
    }

    /// <summary>
    /// Sends all of <paramref name="data"/> (at least one byte) with <paramref name="fd"/> attached to its first part, waiting
    /// while the socket's buffer is full. The caller serializes writes: nothing else may be sent on the socket meanwhile.
    /// </summary>
    public static async Task SendAsync(Socket socket, ReadOnlyMemory<byte> data, SafeHandle fd, CancellationToken ct)
    {
        if (data.IsEmpty)
            throw new ArgumentException("a descriptor travels with at least one byte", nameof(data));
        int sent;
        // The socket is non-blocking under .NET; a full buffer is rare (a few bytes here), so a short sleep is enough.
        while ((sent = TrySend(socket, data.Span, fd)) < 0)
            await Task.Delay(1, ct).ConfigureAwait(false);
        var rest = data[sent..];
        while (!rest.IsEmpty)
            rest = rest[await socket.SendAsync(rest, SocketFlags.None, ct).ConfigureAwait(false)..];
    }

    /// <summary>One sendmsg of the bytes and the descriptor; the bytes sent (the descriptor went with them), or -1 when it would block.</summary>
    private static int TrySend(Socket socket, ReadOnlySpan<byte> data, SafeHandle fd)
    {
        var buffer = Marshal.AllocHGlobal(data.Length + ControlSize + Marshal.SizeOf<LibC.IoVec>());
        var socketRef = false;
        var fdRef = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref socketRef);
            fd.DangerousAddRef(ref fdRef);
            Marshal.Copy(data.ToArray(), 0, buffer, data.Length);
            var control = buffer + data.Length;
            var control64 = new byte[ControlSize];
            BinaryPrimitives.WriteUInt64LittleEndian(control64, LibC.CmsgHeaderSize + sizeof(int)); // CMSG_LEN(sizeof(int))
            BinaryPrimitives.WriteInt32LittleEndian(control64.AsSpan(8), LibC.SOL_SOCKET);
            BinaryPrimitives.WriteInt32LittleEndian(control64.AsSpan(12), LibC.SCM_RIGHTS);
            BinaryPrimitives.WriteInt32LittleEndian(control64.AsSpan(16), (int)fd.DangerousGetHandle());
            Marshal.Copy(control64, 0, control, ControlSize);
            var iov = control + ControlSize;
            Marshal.StructureToPtr(new LibC.IoVec { Base = buffer, Length = (nuint)data.Length }, iov, false);
            var message = new LibC.MsgHdr { Iov = iov, IovLength = 1, Control = control, ControlLength = ControlSize };
            while (true)
            {
                var n = LibC.SendMsg((int)socket.SafeHandle.DangerousGetHandle(), ref message, LibC.MSG_NOSIGNAL | LibC.MSG_DONTWAIT);
                if (n >= 0)
                    return (int)n;
                var errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EINTR)
                    continue;
                if (errno == LibC.EWOULDBLOCK)
                    return -1;
                throw new IOException($"sending a file descriptor failed: {LibC.StrError(errno)}");
            }
        }
        finally
        {
            if (fdRef)
                fd.DangerousRelease();
            if (socketRef)
                socket.SafeHandle.DangerousRelease();
            Marshal.FreeHGlobal(buffer);
        }
    }

    /// <summary>
    /// One blocking recvmsg into <paramref name="buffer"/>: the bytes read and the descriptor that came with them, if
    /// any (made close-on-exec; any more than one are closed).
    /// </summary>
    public static (int Bytes, SafeFileHandle? Fd) Receive(Socket socket, byte[] buffer)
    {
        const int MaxFds = 8;
        var controlSize = LibC.CmsgHeaderSize + MaxFds * sizeof(int);
        var native = Marshal.AllocHGlobal(buffer.Length + controlSize + Marshal.SizeOf<LibC.IoVec>());
        var socketRef = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref socketRef);
            var control = native + buffer.Length;
            var iov = control + controlSize;
            Marshal.StructureToPtr(new LibC.IoVec { Base = native, Length = (nuint)buffer.Length }, iov, false);
            var message = new LibC.MsgHdr { Iov = iov, IovLength = 1, Control = control, ControlLength = (nuint)controlSize };
            nint n;
            while ((n = LibC.RecvMsg((int)socket.SafeHandle.DangerousGetHandle(), ref message, LibC.MSG_CMSG_CLOEXEC)) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                // .NET makes a socket non-blocking once it ran an async operation: wait as a blocking read would.
                if (errno == LibC.EWOULDBLOCK && !socket.Poll(socket.ReceiveTimeout > 0 ? socket.ReceiveTimeout * 1000 : -1, SelectMode.SelectRead))
                    throw new IOException("receiving a file descriptor timed out");
                if (errno is not (LibC.EINTR or LibC.EWOULDBLOCK))
                    throw new IOException($"receiving a file descriptor failed: {LibC.StrError(errno)}");
            }
            Marshal.Copy(native, buffer, 0, (int)n);
            return ((int)n, TakeDescriptors(control, (int)message.ControlLength));
        }
        finally
        {
            if (socketRef)
                socket.SafeHandle.DangerousRelease();
            Marshal.FreeHGlobal(native);
        }
    }

    /// <summary>The first descriptor of an SCM_RIGHTS message; the kernel installed them all, so the rest are closed.</summary>
    private static SafeFileHandle? TakeDescriptors(IntPtr control, int length)
    {
        if (length < LibC.CmsgHeaderSize)
            return null;
        var bytes = new byte[length];
        Marshal.Copy(control, bytes, 0, length);
        var cmsgLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)) != LibC.SOL_SOCKET
            || BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12)) != LibC.SCM_RIGHTS)
            return null;
        SafeFileHandle? first = null;
        for (var at = LibC.CmsgHeaderSize; at + sizeof(int) <= Math.Min(cmsgLength, length); at += sizeof(int))
        {
            var fd = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
            if (first is null)
                first = new SafeFileHandle(fd, ownsHandle: true);
            else
                LibC.Close(fd);
        }
        return first;
    }
}
