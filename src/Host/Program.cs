using System.CommandLine;
using Virt.Host.Daemon;

var system = new Option<bool>("--system") { Description = "Run the host instance (qemu:///system), as root" };
var root = new Option<string?>("--root") { Description = "Run on a private tree under DIR instead of the user's session paths; with --system, the system paths under the prefix DIR" };
var config = new Option<string?>("--config") { Description = "A HOCON file overriding config.hocon (also $VIRT_CONFIG)" };
var verbose = new Option<bool>("--verbose", "-v") { Description = "Log debug messages to the console" };
var libvirtSockets = new Option<bool>("--libvirt-sockets")
{
    Description = "Also listen where libvirt's clients look by default ($XDG_RUNTIME_DIR/libvirt/virtqemud-sock; /run/libvirt/virtqemud-sock and -sock-ro with --system), so plain qemu:///session and qemu:///system URIs reach Virt; refused if something listens there",
};
var command = new RootCommand("virtd: the Virt daemon") { system, root, config, verbose, libvirtSockets };
command.SetAction((result, ct) => Daemon.RunAsync(new DaemonOptions(
    result.GetValue(system), result.GetValue(root), result.GetValue(config), result.GetValue(verbose), result.GetValue(libvirtSockets)), ct));
return await command.Parse(args).InvokeAsync();
