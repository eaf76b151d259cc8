using System.Text.Json;

namespace Virt.Protocol.Rpc;

/// <summary>A successful reply on the wire: what kind of record it is (a name we choose, never a CLR type) and its fields.</summary>
public sealed record WireReply(string Kind, JsonElement Value);
