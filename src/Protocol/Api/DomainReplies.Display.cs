using System.Text.Json.Serialization;
using Microsoft.Win32.SafeHandles;

namespace Virt.Protocol.Api;

public static partial class DomainReplies
{
    /// <summary>A screenshot: its MIME type (image/png) and the file's bytes, base64 in JSON.</summary>
    public sealed record ScreenshotImage(string MimeType, byte[] Data) : IDomainReply
    {
        public const string Png = "image/png";

        /// <summary>
        /// The largest image one reply carries: base64 makes it a third larger, and a frame (socket and Akka.Remote alike)
        /// holds 4 MiB. A 1024x768 PNG of a desktop is a few hundred kB.
        /// </summary>
        public const int MaxBytes = 2 * 1024 * 1024;
    }

    /// <summary>
    /// A display client was connected: <see cref="Socket"/> is its end of the socket pair, owned by whoever holds this
    /// reply (the edge that passes it on closes its copy after sending). It never travels.
    /// </summary>
    public sealed record GraphicsOpened(DomainName Domain) : IDomainReply
    {
        [JsonIgnore]
        public SafeFileHandle? Socket { get; init; }
    }
}
