using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.TestKit;
using Virt.Actors.Config;
using Virt.Actors.Registry;
using Virt.Actors.Runtime;
using Virt.Protocol.Api;
using Virt.Protocol.Events;
using Virt.Supervisor.Paths;
using Virt.Supervisor.Processes;
using Virt.Supervisor.Status;
using Virt.Supervisor.TestGuest;
using Virt.TestSupport;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Tests.Domains;

/// <summary>
/// Base of the domain specs: a runtime tree in a temp directory, the test guest image, an event probe,
/// and a record of every QEMU pid seen, all killed on dispose whatever the test did.
/// </summary>
public abstract class QemuDomainSpec : Akka.TestKit.Xunit2.TestKit
{
    protected const int SIGKILL = 9;
    protected const int SIGTERM = 15;
    protected const int SIGSTOP = 19;
    protected static readonly TimeSpan Long = TimeSpan.FromSeconds(20);

    private readonly TempDirectory _temp = new("vd");
    private readonly HashSet<int> _pids = [];

    protected QemuDomainSpec() : base("akka.loglevel = INFO\nakka.test.single-expect-default = 20s")
    {
        Paths = VirtPaths.Embed(_temp.Path);
        Directory.CreateDirectory(Paths.ConfigDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        ImagePath = _temp.Combine("guest.img");
        TestGuestImage.Write(ImagePath);
        Settings = new VirtRuntimeSettings { Paths = Paths, KillTimeout = TimeSpan.FromSeconds(1), Autostart = true };
        Events = CreateTestProbe();
        Sys.EventStream.Subscribe(Events.Ref, typeof(DomainLifecycleEvent));
    }

    protected VirtPaths Paths { get; }
    protected string ImagePath { get; }
    protected VirtRuntimeSettings Settings { get; set; }
    protected TestProbe Events { get; }
    protected StatusFileStore StatusFiles => new(Paths.RuntimeDir);

    protected string SerialPath(string name) => _temp.Combine(name + ".serial");

    /// <summary>One image per domain: QEMU locks its disk image, so two running domains cannot share one.</summary>
    private string ImageFor(string name)
    {
        var path = _temp.Combine(name + ".img");
        if (!File.Exists(path))
            TestGuestImage.Write(path);
        return path;
    }

    protected string GuestXml(string name, Guid uuid, string extra = "", string devices = "") => $"""
        <domain type='qemu'>
          <name>{name}</name>
          <uuid>{uuid:D}</uuid>
          <memory unit='MiB'>16</memory>
          <vcpu>1</vcpu>
          <os><type arch='x86_64' machine='pc'>hvm</type></os>
          <features><acpi/></features>
          {extra}
          <devices>
            <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{ImageFor(name)}'/><target dev='hda' bus='ide'/></disk>
            <serial type='file'><source path='{SerialPath(name)}'/></serial>
            {devices}
          </devices>
        </domain>
        """;

    protected IActorRef Registry(ActorSystem? system = null) =>
        (system ?? Sys).ActorOf(DomainRegistryActor.Props(ConfigStore.Open(Paths.ConfigDir), new DomainRuntime(Settings)), "domains");

    protected T Call<T>(IActorRef registry, object message)
    {
        var reply = registry.Ask<object>(message, Long).GetAwaiter().GetResult();
        return reply is T t ? t : throw new Xunit.Sdk.XunitException($"expected {typeof(T).Name}, got {reply}");
    }

    protected DomainUuid Define(IActorRef registry, string name, string extra = "", string devices = "")
    {
        var uuid = Guid.NewGuid();
        Call<DomainSummary>(registry, new DefineDomain(GuestXml(name, uuid, extra, devices)));
        ExpectEvent(name, "Defined Added");
        return new DomainUuid(uuid);
    }

    /// <summary>Starts a defined domain and records its pid for the cleanup.</summary>
    protected DomainSummary Start(IActorRef registry, string name, DomainCreateFlags flags = DomainCreateFlags.None)
    {
        var summary = Call<DomainSummary>(registry, new StartDomain(DomainRef.ByName(name), flags));
        Pid(summary.Uuid);
        return summary;
    }

    /// <summary>The QEMU pid from the domain's status file (remembered for the cleanup).</summary>
    protected int Pid(DomainUuid uuid)
    {
        var status = StatusFiles.Read(uuid.Value)?.Status ?? throw new Xunit.Sdk.XunitException($"no status file for {uuid}");
        lock (_pids)
            _pids.Add(status.Pid);
        return status.Pid;
    }

    protected void ExpectEvent(string name, string display)
    {
        var evt = Events.ExpectMsg<DomainLifecycleEvent>(Long);
        Assert.Equal((name, display), (evt.Name.Value, evt.Display));
    }

    /// <summary>The next events, in order, are exactly <paramref name="sequence"/> (one of <see cref="LibvirtLifecycle"/>'s).</summary>
    protected void ExpectEvents(string name, IReadOnlyList<string> sequence)
    {
        foreach (var display in sequence)
            ExpectEvent(name, display);
    }

    protected void AwaitGuestReady(string name) =>
        AwaitAssert(() => Assert.Contains(TestGuestImage.ReadyLine, File.Exists(SerialPath(name)) ? File.ReadAllText(SerialPath(name)) : ""),
            Long, TimeSpan.FromMilliseconds(20));

    protected static void AssertGone(int pid) => Assert.False(ProcFs.IsAlive(pid), $"QEMU pid {pid} is still running");

    protected static void Signal(int pid, int signal) => Assert.Equal(0, kill(pid, signal));

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    protected override void Dispose(bool disposing)
    {
        try
        {
            foreach (var status in StatusFiles.List())
                if (status.Status is { } s)
                    _pids.Add(s.Pid);
            // Any QEMU whose command line names this test's directory is ours too, whatever state the test left.
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
                if (int.TryParse(Path.GetFileName(dir), out var pid) && string.Join(' ', ProcFs.ReadCmdline(pid)).Contains(_temp.Path, StringComparison.Ordinal))
                    _pids.Add(pid);
            foreach (var pid in _pids)
                if (ProcFs.IsAlive(pid))
                    kill(pid, SIGKILL);
        }
        finally
        {
            base.Dispose(disposing);
            _temp.Dispose();
        }
    }
}
