using Virt.Cli;
using Virt.Host.Embedded;

// qemu:///embed?root=DIR runs the runtime inside this process; registering costs a dictionary entry, no runtime starts.
EmbeddedRuntime.Register();
return await VirtCommandLine.RunAsync(args, CliContext.FromProcess());
