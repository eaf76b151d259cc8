using Virt.Cli;
using Virt.Cli.Companion;
using Virt.Host.Embedded;

// qemu:///embed?root=DIR runs the runtime inside this process; registering costs a dictionary entry, no runtime starts.
// The native build has no runtime and hands such URIs to its companion (see CompanionHandover).
if (InProcessRuntime.IsSupported)
    EmbeddedRuntime.Register();
return await VirtCommandLine.RunAsync(args, CliContext.FromProcess());
