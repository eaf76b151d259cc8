using Virt.Cli.Commands;

namespace Virt.Cli.Tests;

/// <summary>Where a screenshot goes when no file is named.</summary>
public sealed class ScreenshotCommandTests
{
    [Theory]
    [InlineData("image/png", "vm1-2026-03-04-05:06:07.png")]
    [InlineData("image/x-portable-pixmap", "vm1-2026-03-04-05:06:07.ppm")]
    public void It_is_named_after_the_domain_and_the_local_time_as_virsh_names_it(string mimeType, string expected) =>
        Assert.Equal(expected, ScreenshotCommand.DefaultFileName("vm1", new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)), mimeType));
}
