using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Virt.Supervisor.CommandLine;

/// <summary>Collects argv: options in key=value form go through <see cref="QemuOpts"/>, devices and backends as JSON.</summary>
internal sealed class ArgvWriter
{
    // Relaxed escaping keeps paths readable in the log header; QEMU's JSON parser reads either form.
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly List<string> _arguments = [];

    public IReadOnlyList<string> Arguments => _arguments;

    public void Flag(string option) => _arguments.Add(option);

    public void Add(string option, string value)
    {
        _arguments.Add(option);
        _arguments.Add(value);
    }

    public void Add(string option, QemuOpts value) => Add(option, value.ToString());

    /// <summary>Adds a JSON-valued option (-device, -blockdev, -netdev, -object, -audiodev); JSON needs no comma escaping.</summary>
    public void Json(string option, JsonObject value) => Add(option, value.ToJsonString(JsonOptions));

    public void AddRange(IEnumerable<string> arguments) => _arguments.AddRange(arguments);
}
