using System.Text.Json.Serialization;
using Virt.Protocol.Api;
using Virt.Protocol.Events;

namespace Virt.Protocol.Rpc;

/// <summary>Source-generated JSON contracts of every API record; the wire and Akka.Remote share them.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    Converters = [typeof(DomainNameJsonConverter), typeof(DomainUuidJsonConverter)])]
[JsonSerializable(typeof(WireReply))]
[JsonSerializable(typeof(Client.EventSubscription))]
[JsonSerializable(typeof(DomainLifecycleEvent))]
[JsonSerializable(typeof(DomainRebootEvent))]
[JsonSerializable(typeof(DomainDeviceEvent))]
[JsonSerializable(typeof(DomainCommands.DefineDomain))]
[JsonSerializable(typeof(DomainCommands.UndefineDomain))]
[JsonSerializable(typeof(DomainCommands.CreateDomain))]
[JsonSerializable(typeof(DomainCommands.LookupDomain))]
[JsonSerializable(typeof(DomainCommands.ListDomains))]
[JsonSerializable(typeof(DomainCommands.SetAutostart))]
[JsonSerializable(typeof(DomainCommands.GetDomainXml))]
[JsonSerializable(typeof(DomainCommands.GetDomainInfo))]
[JsonSerializable(typeof(DomainCommands.StartDomain))]
[JsonSerializable(typeof(DomainCommands.ShutdownDomain))]
[JsonSerializable(typeof(DomainCommands.DestroyDomain))]
[JsonSerializable(typeof(DomainCommands.SuspendDomain))]
[JsonSerializable(typeof(DomainCommands.ResumeDomain))]
[JsonSerializable(typeof(DomainCommands.RebootDomain))]
[JsonSerializable(typeof(DomainCommands.ResetDomain))]
[JsonSerializable(typeof(DomainCommands.QemuMonitorCommand))]
[JsonSerializable(typeof(DomainCommands.AttachDomain))]
[JsonSerializable(typeof(DomainCommands.TakeScreenshot))]
[JsonSerializable(typeof(DomainReplies.ScreenshotImage))]
[JsonSerializable(typeof(DomainReplies.QemuMonitorReply))]
[JsonSerializable(typeof(DomainReplies.DomainSummary))]
[JsonSerializable(typeof(DomainReplies.DomainList))]
[JsonSerializable(typeof(DomainReplies.DomainXmlDescription))]
[JsonSerializable(typeof(DomainReplies.DomainInfo))]
[JsonSerializable(typeof(DomainReplies.ErrorReply))]
[JsonSerializable(typeof(DomainQueries.GetDomainStats))]
[JsonSerializable(typeof(DomainQueries.GetMemoryStats))]
[JsonSerializable(typeof(DomainQueries.DomainStatsRecord))]
[JsonSerializable(typeof(DomainQueries.DomainStatsList))]
[JsonSerializable(typeof(DomainQueries.MemoryStats))]
[JsonSerializable(typeof(DomainResources.SetMemory))]
[JsonSerializable(typeof(DomainResources.SetVcpus))]
[JsonSerializable(typeof(DomainSaves.SaveDomain))]
[JsonSerializable(typeof(DomainSaves.ManagedSaveDomain))]
[JsonSerializable(typeof(DomainSaves.RemoveManagedSave))]
[JsonSerializable(typeof(DomainSaves.RestoreDomain))]
[JsonSerializable(typeof(DomainDevices.UpdateDevice))]
[JsonSerializable(typeof(DomainDevices.AttachDevice))]
[JsonSerializable(typeof(DomainDevices.DetachDevice))]
[JsonSerializable(typeof(DomainSnapshots.CreateSnapshot))]
[JsonSerializable(typeof(DomainSnapshots.ListSnapshots))]
[JsonSerializable(typeof(DomainSnapshots.GetSnapshot))]
[JsonSerializable(typeof(DomainSnapshots.RevertSnapshot))]
[JsonSerializable(typeof(DomainSnapshots.DeleteSnapshot))]
[JsonSerializable(typeof(DomainSnapshots.SnapshotDescription))]
[JsonSerializable(typeof(DomainSnapshots.SnapshotList))]
[JsonSerializable(typeof(ConsoleCommands.OpenConsole))]
[JsonSerializable(typeof(ConsoleReplies.ConsoleOpened))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
