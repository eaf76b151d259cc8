using System.Text.Json.Serialization;
using Virt.Protocol.Rpc;

namespace Virt.Protocol.Remote;

/// <summary>Source-generated JSON contracts of the remote envelope records, with the API's naming and converters.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    Converters = [typeof(DomainNameJsonConverter), typeof(DomainUuidJsonConverter)])]
[JsonSerializable(typeof(RemoteMessages.Hello))]
[JsonSerializable(typeof(RemoteMessages.Welcome))]
[JsonSerializable(typeof(RemoteMessages.Subscribe))]
[JsonSerializable(typeof(RemoteMessages.Subscribed))]
[JsonSerializable(typeof(RemoteMessages.Goodbye))]
[JsonSerializable(typeof(RemoteMessages.Closed))]
[JsonSerializable(typeof(ClusterMessages.ClaimName))]
[JsonSerializable(typeof(ClusterMessages.NameClaimed))]
[JsonSerializable(typeof(ClusterMessages.ReleaseName))]
[JsonSerializable(typeof(ClusterMessages.SyncNames))]
[JsonSerializable(typeof(ClusterMessages.NamesSynced))]
[JsonSerializable(typeof(ClusterMessages.LocateName))]
[JsonSerializable(typeof(ClusterMessages.NameLocated))]
[JsonSerializable(typeof(ClusterMessages.AskCapacity))]
[JsonSerializable(typeof(ClusterMessages.NodeCapacity))]
[JsonSerializable(typeof(ClusterMessages.TransferName))]
[JsonSerializable(typeof(ClusterMessages.AcceptMoved))]
[JsonSerializable(typeof(ClusterMessages.NodeDomainEvent))]
[JsonSerializable(typeof(ClusterMessages.PrepareIncoming))]
[JsonSerializable(typeof(ClusterMessages.IncomingReady))]
[JsonSerializable(typeof(ClusterMessages.FinishIncomingOn))]
[JsonSerializable(typeof(ClusterMessages.AbandonIncoming))]
internal sealed partial class RemoteJsonContext : JsonSerializerContext;
