using System.CommandLine;
using System.Globalization;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using static Virt.Protocol.Api.DomainResources;

namespace Virt.Cli.Commands;

/// <summary>virsh's setmem, setmaxmem and setvcpus, with its flags and defaults.</summary>
internal static class ResourceCommands
{
    public static IEnumerable<Command> Create(CliContext context) =>
    [
        Memory(context, "setmem", "Change the current memory of a domain (the balloon's target when it runs)", maximum: false),
        Memory(context, "setmaxmem", "Change the maximum memory of a domain", maximum: true),
        Vcpus(context),
    ];

    private static (Option<bool> Live, Option<bool> Config, Option<bool> Current) ImpactOptions() =>
        (new Option<bool>("--live") { Description = "Change the running domain" },
         new Option<bool>("--config") { Description = "Change the config of the next start" },
         new Option<bool>("--current") { Description = "The running domain if it runs, else its config" });

    /// <summary>
    /// The flags as virsh makes them: --current excludes the others; with none, setmem means the live domain (as
    /// virsh's setmem does) while setmaxmem and setvcpus mean current.
    /// </summary>
    private static DomainModificationFlags Impact(ParseResult parse, (Option<bool> Live, Option<bool> Config, Option<bool> Current) o, bool liveByDefault)
    {
        var (live, config, current) = (parse.GetValue(o.Live), parse.GetValue(o.Config), parse.GetValue(o.Current));
        if (current && (live || config))
            throw new UsageException("Options --current and --live or --config are mutually exclusive");
        if (!live && !config && !current)
            return liveByDefault ? DomainModificationFlags.Live : DomainModificationFlags.Current;
        return (live ? DomainModificationFlags.Live : 0) | (config ? DomainModificationFlags.Config : 0);
    }

    private static Command Memory(CliContext context, string name, string description, bool maximum)
    {
        var size = new Argument<string>("size") { Description = "New size; KiB unless a unit follows (512M, 1G, 1GiB)" };
        var impact = ImpactOptions();
        return DomainVerb.Create(context, name, description, [size, impact.Live, impact.Config, impact.Current], async (run, connection, dom, ct) =>
        {
            var kib = ParseSize(run.Parse.GetValue(size)!);
            var flags = Impact(run.Parse, impact, liveByDefault: !maximum) | (maximum ? DomainModificationFlags.Maximum : 0);
            await connection.CallAsync<DomainReplies.DomainSummary>(new SetMemory(dom, kib, flags), ct);
            await run.WriteAsync(() => "", () => "{}\n");
        });
    }

    private static Command Vcpus(CliContext context)
    {
        var count = new Argument<int>("count") { Description = "Number of vCPUs" };
        var maximumOption = new Option<bool>("--maximum") { Description = "Set the maximum (the count the machine is built with)" };
        var impact = ImpactOptions();
        return DomainVerb.Create(context, "setvcpus", "Change the number of vCPUs of a domain", [count, maximumOption, impact.Live, impact.Config, impact.Current],
            async (run, connection, dom, ct) =>
            {
                var n = run.Parse.GetValue(count);
                if (n <= 0)
                    throw new UsageException("Can't set 0 processors for a VM");
                var flags = Impact(run.Parse, impact, liveByDefault: false) | (run.Parse.GetValue(maximumOption) ? DomainModificationFlags.Maximum : 0);
                await connection.CallAsync<DomainReplies.DomainSummary>(new SetVcpus(dom, n, flags), ct);
                await run.WriteAsync(() => "", () => "{}\n");
            });
    }

    /// <summary>virsh's scaled sizes: a number with an optional unit of libvirt's (KiB when none), rounded up to KiB.</summary>
    internal static ulong ParseSize(string text)
    {
        var digits = text.TakeWhile(char.IsAsciiDigit).Count();
        if (digits == 0 || !ulong.TryParse(text[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw new UsageException($"Invalid size '{text}'");
        return MemoryUnits.ToKiB(value, text[digits..]) ?? throw new UsageException($"Invalid size '{text}': unknown unit or too large (units: {MemoryUnits.Allowed})");
    }
}
