using Virt.Protocol.Domains;

namespace Virt.Supervisor.CommandLine;

/// <summary>The video devices QEMU gets: the domain's own, or libvirt's default cirrus when it has graphics and none.</summary>
public static class DefaultVideo
{
    public static IReadOnlyList<VideoDevice> Of(DomainDefinition definition) =>
        definition.Devices.Videos.Count == 0 && definition.Devices.Graphics.Count > 0
            ? [new VideoDevice { ModelType = "cirrus" }]
            : definition.Devices.Videos;

    /// <summary>The QEMU id of the video device at <paramref name="index"/> in <see cref="Of"/>.</summary>
    public static string Id(int index) => $"video{index}";
}
