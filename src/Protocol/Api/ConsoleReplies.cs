using System.Text.Json.Serialization;

namespace Virt.Protocol.Api;

/// <summary>Answers to <see cref="ConsoleCommands"/>.</summary>
public static class ConsoleReplies
{
    /// <summary>
    /// A console session was opened on <paramref name="Device"/>. <see cref="Stream"/> is the session itself, handed to
    /// the edge in the daemon's own process that serves it; it never travels (on the wire the bytes follow the reply).
    /// </summary>
    public sealed record ConsoleOpened(DomainName Domain, string Device) : DomainReplies.IDomainReply
    {
        [JsonIgnore]
        public IConsoleStream? Stream { get; init; }
    }
}
