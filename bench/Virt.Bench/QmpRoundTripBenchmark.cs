using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Virt.Supervisor.Qmp;
using Virt.TestSupport;

namespace Virt.Bench;

/// <summary>
/// query-status round trips to a real paused QEMU: our QmpClient on one QMP socket, and on a second socket of the
/// same QEMU a raw synchronous loop (write the line, read to the newline), which is QEMU's own floor. Blocks of the
/// two alternate, so both see the same machine load.
/// </summary>
public static class QmpRoundTripBenchmark
{
    private const int Warmup = 200;
    private const int Blocks = 10;
    private const int PerBlock = 500;
    private static readonly byte[] QueryStatus = "{\"execute\":\"query-status\"}\n"u8.ToArray();

    public static async Task RunAsync()
    {
        using var dir = new TempDirectory("vb");
        var socket = dir.Combine("qmp.sock");
        var rawSocket = dir.Combine("raw.sock");
        var info = new ProcessStartInfo("qemu-system-x86_64") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var arg in new[] { "-machine", "pc", "-accel", "tcg", "-S", "-nodefaults", "-display", "none",
                     "-qmp", $"unix:{socket},server=on,wait=off", "-qmp", $"unix:{rawSocket},server=on,wait=off" })
            info.ArgumentList.Add(arg);
        using var qemu = Process.Start(info) ?? throw new InvalidOperationException("qemu did not start");
        qemu.ErrorDataReceived += (_, _) => { };
        qemu.BeginErrorReadLine();
        try
        {
            while (!File.Exists(socket) || !File.Exists(rawSocket))
            {
                if (qemu.HasExited)
                    throw new InvalidOperationException($"qemu exited with {qemu.ExitCode}");
                await Task.Delay(1);
            }
            await using var client = await QmpClient.ConnectAsync(socket);
            using var raw = RawClient.Connect(rawSocket);

            for (var i = 0; i < Warmup; i++)
            {
                await client.ExecuteAsync("query-status");
                raw.RoundTrip(QueryStatus);
            }
            var ours = new List<double>(Blocks * PerBlock);
            var floor = new List<double>(Blocks * PerBlock);
            var oursTime = TimeSpan.Zero;
            for (var b = 0; b < Blocks; b++)
            {
                var block = Stopwatch.StartNew();
                for (var i = 0; i < PerBlock; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    await client.ExecuteAsync("query-status");
                    ours.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
                oursTime += block.Elapsed;
                for (var i = 0; i < PerBlock; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    raw.RoundTrip(QueryStatus);
                    floor.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }
            ours.Sort();
            floor.Sort();
            var n = ours.Count;
            Console.WriteLine($"query-status round trips: {n} each (after {Warmup} warm-up), in alternating blocks of {PerBlock}");
            Console.WriteLine($"  QmpClient        median {Ms(ours[n / 2])}  p99 {Ms(ours[(int)(n * 0.99)])}  max {Ms(ours[^1])}");
            Console.WriteLine($"  raw socket loop  median {Ms(floor[n / 2])}  p99 {Ms(floor[(int)(n * 0.99)])}  max {Ms(floor[^1])}");
            Console.WriteLine($"  QmpClient over the raw floor: {Ms(ours[n / 2] - floor[n / 2])} (median)");
            Console.WriteLine($"  QmpClient throughput {(n / oursTime.TotalSeconds).ToString("0", CultureInfo.InvariantCulture)} commands/s (sequential)");
        }
        finally
        {
            if (!qemu.HasExited)
                qemu.Kill();
            await qemu.WaitForExitAsync();
        }
    }

    private static string Ms(double ms) => ms.ToString("0.000", CultureInfo.InvariantCulture) + " ms";

    /// <summary>The least a client can do: blocking send of the line, blocking receive until a newline.</summary>
    private sealed class RawClient : IDisposable
    {
        private readonly Socket _socket;
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        private RawClient(Socket socket) => _socket = socket;

        public static RawClient Connect(string path)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(path));
            var raw = new RawClient(socket);
            var greeting = raw.ReadLine();
            if (!greeting.Contains("\"QMP\"", StringComparison.Ordinal))
                throw new InvalidOperationException($"not a QMP greeting: {greeting}");
            raw.RoundTrip("{\"execute\":\"qmp_capabilities\"}\n"u8.ToArray());
            return raw;
        }

        public void RoundTrip(byte[] line)
        {
            _socket.Send(line);
            var reply = ReadLine();
            // Events (none while paused) would come first; only a reply ends the round trip.
            while (!reply.Contains("\"return\"", StringComparison.Ordinal) && !reply.Contains("\"error\"", StringComparison.Ordinal))
                reply = ReadLine();
        }

        private string ReadLine()
        {
            while (true)
            {
                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    var line = Encoding.UTF8.GetString(_buffer, _start, newline - _start);
                    _start = newline + 1;
                    if (_start == _end)
                        _start = _end = 0;
                    return line;
                }
                if (_end == _buffer.Length)
                    throw new InvalidOperationException("QMP line longer than the raw client's buffer");
                var read = _socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
                if (read == 0)
                    throw new InvalidOperationException("QEMU closed the raw monitor connection");
                _end += read;
            }
        }

        public void Dispose() => _socket.Dispose();
    }
}
