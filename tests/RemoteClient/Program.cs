// A separate .NET program with its own ActorSystem, as a user's would be: it connects to virtd over
// qemu+akka://, defines the domain in XML_FILE, starts it with autodestroy, says so on stdout, and then
// waits to be killed. The integration tests kill it with SIGKILL and check that the domain dies with it.
using Virt.Protocol.Api;
using Virt.Protocol.Client;
using Virt.Protocol.Errors;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: virt-remote-client qemu+akka://HOST:PORT/ XML_FILE");
    return 2;
}

try
{
    var connection = await VirtConnection.OpenAsync(args[0], new VirtConnectionOptions { CallTimeout = TimeSpan.FromSeconds(60) });
    var defined = await connection.DefineAsync(await File.ReadAllTextAsync(args[1]));
    var started = await connection.StartAsync(DomainRef.ByUuid(defined.Uuid), DomainCreateFlags.Autodestroy);
    Console.WriteLine($"started {started.Name} {started.Uuid} {started.StateText}");
    await connection.Completion;
    Console.WriteLine("connection ended");
    return 0;
}
catch (VirtException e)
{
    Console.Error.WriteLine($"error: {e.Code.WireName()}: {e.Message}");
    return 1;
}
