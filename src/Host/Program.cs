using System.CommandLine;
using Virt.Host.Daemon;

var system = new Option<bool>("--system") { Description = "Run the host instance (qemu:///system), as root" };
var root = new Option<string?>("--root") { Description = "Run on a private tree under DIR instead of the user's session paths; with --system, the system paths under the prefix DIR" };
var config = new Option<string?>("--config") { Description = "A HOCON file overriding config.hocon (also $VIRT_CONFIG)" };
var verbose = new Option<bool>("--verbose", "-v") { Description = "Log debug messages to the console" };
var command = new RootCommand("virtd: the Virt daemon") { system, root, config, verbose };
command.SetAction((result, ct) => Daemon.RunAsync(new DaemonOptions(
    result.GetValue(system), result.GetValue(root), result.GetValue(config), result.GetValue(verbose)), ct));
return await command.Parse(args).InvokeAsync();
