using System.CommandLine;
using Virt.Protocol.Api;

namespace Virt.Cli.Commands;

/// <summary>The device verbs' --live, --config, --current and --persistent (and --force, for a medium), as virsh reads them.</summary>
internal sealed record DeviceImpact(Option<bool> Live, Option<bool> Config, Option<bool> Current, Option<bool> Persistent, Option<bool> Force)
{
    public static DeviceImpact Make() => new(
        new Option<bool>("--live") { Description = "Change the running domain" },
        new Option<bool>("--config") { Description = "Change the config of the next start" },
        new Option<bool>("--current") { Description = "The running domain if it runs, else its config" },
        new Option<bool>("--persistent") { Description = "The config, and the running domain if it runs" },
        new Option<bool>("--force") { Description = "Open the tray even if the guest locked it" });

    public Symbol[] Options => [Live, Config, Current, Persistent, Force];

    /// <summary>The options without --force, for the verbs that have no medium.</summary>
    public Symbol[] TargetOptions => [Live, Config, Current, Persistent];

    /// <summary>--persistent is config plus live when the domain runs, as virsh makes it.</summary>
    public DomainModificationFlags Flags(ParseResult parse, bool active)
    {
        if (parse.GetValue(Current) && (parse.GetValue(Live) || parse.GetValue(Config) || parse.GetValue(Persistent)))
            throw new UsageException("Options --current and --live, --config or --persistent are mutually exclusive");
        var flags = (parse.GetValue(Live) ? DomainModificationFlags.Live : 0) | (parse.GetValue(Config) ? DomainModificationFlags.Config : 0);
        if (parse.GetValue(Persistent))
            flags |= DomainModificationFlags.Config | (active ? DomainModificationFlags.Live : 0);
        return flags | (parse.GetValue(Force) ? DomainModificationFlags.Maximum : 0);
    }

    /// <summary>As virsh's: without --live, --config, --persistent or --current the change is live (virDomainAttachDevice).</summary>
    public DomainModificationFlags LiveByDefault(ParseResult parse, bool active)
    {
        var flags = Flags(parse, active);
        return (flags & ~DomainModificationFlags.Maximum) == 0 && !parse.GetValue(Current) ? flags | DomainModificationFlags.Live : flags;
    }
}
