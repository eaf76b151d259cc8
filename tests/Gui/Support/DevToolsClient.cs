using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Virt.Gui.Tests.Support;

/// <summary>
/// The Chrome DevTools Protocol over one page's WebSocket on loopback: a call is a JSON message with an id, its answer
/// the message with that id; events in between are skipped. Enough to navigate, run script, and take screenshots.
/// </summary>
public sealed class DevToolsClient : IDisposable
{
    private readonly ClientWebSocket _socket = new();
    private int _nextId;

    private DevToolsClient()
    {
    }

    /// <summary>Attaches to the browser's first page (its /json/list on the DevTools port).</summary>
    public static async Task<DevToolsClient> AttachAsync(int port)
    {
        using var http = new HttpClient();
        var targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
        var page = targets.First(t => (string?)t!["type"] == "page")!;
        var client = new DevToolsClient();
        client._socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await client._socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), CancellationToken.None);
        return client;
    }

    public async Task<JsonNode?> CallAsync(string method, object? parameters = null)
    {
        var id = ++_nextId;
        var message = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters ?? new { } });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _socket.SendAsync(message, WebSocketMessageType.Text, true, timeout.Token);
        while (true)
        {
            var reply = JsonNode.Parse(await ReceiveAsync(timeout.Token))!;
            if ((int?)reply["id"] != id)
                continue;
            if (reply["error"] is { } error)
                throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
            return reply["result"];
        }
    }

    private async Task<string> ReceiveAsync(CancellationToken ct)
    {
        var buffer = new byte[1 << 16];
        using var text = new MemoryStream();
        while (true)
        {
            var received = await _socket.ReceiveAsync(buffer, ct);
            text.Write(buffer, 0, received.Count);
            if (received.EndOfMessage)
                return Encoding.UTF8.GetString(text.ToArray());
        }
    }

    /// <summary>A script's value (awaited if it is a promise), as JSON.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await CallAsync("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise = true });
        if (result?["exceptionDetails"] is { } exception)
            throw new InvalidOperationException($"{expression}: {exception.ToJsonString()}");
        return result?["result"]?["value"];
    }

    /// <summary>Polls a script until it is true; the page's text is in the failure message.</summary>
    public async Task WaitForAsync(string condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await EvaluateAsync($"(() => {{ try {{ return !!({condition}); }} catch {{ return false; }} }})()") is JsonValue value && value.GetValue<bool>())
                return;
            await Task.Delay(250);
        }
        var text = await EvaluateAsync("document.body ? document.body.innerText : document.documentElement.outerHTML");
        throw new TimeoutException($"{what}: not seen in {seconds} s; the page says:\n{text}");
    }

    /// <summary>Key presses into the focused element, as a keyboard makes them (keydown with its text, keyup); \r is Enter.</summary>
    public async Task TypeAsync(string text)
    {
        foreach (var c in text)
        {
            var key = c == '\r' ? "Enter" : c.ToString();
            await CallAsync("Input.dispatchKeyEvent", new { type = "keyDown", key, text = c.ToString(), windowsVirtualKeyCode = c == '\r' ? 13 : (int)char.ToUpperInvariant(c) });
            await CallAsync("Input.dispatchKeyEvent", new { type = "keyUp", key, windowsVirtualKeyCode = c == '\r' ? 13 : (int)char.ToUpperInvariant(c) });
        }
    }

    public async Task<string> ScreenshotAsync(string path)
    {
        var shot = await CallAsync("Page.captureScreenshot", new { format = "png" });
        await File.WriteAllBytesAsync(path, Convert.FromBase64String((string)shot!["data"]!));
        return path;
    }

    public void Dispose() => _socket.Dispose();
}
