namespace Virt.Protocol.Libvirt;

/// <summary>
/// The one table of libvirt's procedure numbers Virt serves (remote_protocol.x and qemu_protocol.x of libvirt 9.0;
/// the numbers are never reused). Anything else gets libvirt's unknown-procedure error.
/// </summary>
public static class RemoteProcedures
{
    public const int ConnectOpen = 1;
    public const int ConnectClose = 2;
    public const int ConnectGetType = 3;
    public const int ConnectGetVersion = 4;
    public const int NodeGetInfo = 6;
    public const int ConnectGetCapabilities = 7;
    public const int DomainCreate = 9;
    public const int DomainAttachDevice = 8;
    public const int DomainCreateXml = 10;
    public const int DomainDefineXml = 11;
    public const int DomainDestroy = 12;
    public const int DomainDetachDevice = 13;
    public const int DomainGetXmlDesc = 14;
    public const int DomainGetAutostart = 15;
    public const int DomainGetInfo = 16;
    public const int DomainGetMaxMemory = 17;
    public const int DomainGetMaxVcpus = 18;
    public const int DomainGetOsType = 19;
    public const int ConnectListDefinedDomains = 21;
    public const int DomainLookupById = 22;
    public const int DomainLookupByName = 23;
    public const int DomainLookupByUuid = 24;
    public const int ConnectNumOfDefinedDomains = 25;
    public const int DomainReboot = 27;
    public const int DomainResume = 28;
    public const int DomainSetAutostart = 29;
    public const int DomainSetMaxMemory = 30;
    public const int DomainSetMemory = 31;
    public const int DomainSetVcpus = 32;
    public const int DomainShutdown = 33;
    public const int DomainSuspend = 34;
    public const int DomainUndefine = 35;
    public const int ConnectListDomains = 37;
    public const int ConnectNumOfDomains = 51;
    public const int DomainRestore = 54;
    public const int DomainSave = 55;
    public const int ConnectGetHostname = 59;
    public const int DomainBlockStats = 64;
    public const int DomainInterfaceStats = 65;
    public const int ConnectSupportsFeature = 60;
    public const int AuthList = 66;
    public const int ConnectDomainEventRegister = 105;
    public const int ConnectDomainEventDeregister = 106;
    public const int DomainEventLifecycle = 107;
    public const int ConnectGetUri = 110;
    public const int DomainGetSecurityLabel = 121;
    public const int NodeGetSecurityModel = 122;
    public const int ConnectIsSecure = 149;
    public const int DomainIsActive = 150;
    public const int DomainIsPersistent = 151;
    public const int ConnectGetLibVersion = 157;
    public const int DomainMemoryStats = 159;
    public const int DomainAttachDeviceFlags = 160;
    public const int DomainDetachDeviceFlags = 161;
    public const int DomainGetJobInfo = 163;
    public const int DomainAbortJob = 164;
    public const int ConnectDomainEventRegisterAny = 167;
    public const int ConnectDomainEventDeregisterAny = 168;
    public const int DomainEventReboot = 169;
    public const int DomainUpdateDeviceFlags = 174;
    public const int DomainManagedSave = 182;
    public const int DomainHasManagedSaveImage = 183;
    public const int DomainManagedSaveRemove = 184;
    public const int DomainSnapshotCreateXml = 185;
    public const int DomainSnapshotGetXmlDesc = 186;
    public const int DomainSnapshotNum = 187;
    public const int DomainSnapshotListNames = 188;
    public const int DomainSnapshotLookupByName = 189;
    public const int DomainHasCurrentSnapshot = 190;
    public const int DomainSnapshotCurrent = 191;
    public const int DomainRevertToSnapshot = 192;
    public const int DomainSnapshotDelete = 193;
    public const int DomainGetBlockInfo = 194;
    public const int DomainCreateWithFlags = 196;
    public const int DomainSetVcpusFlags = 199;
    public const int DomainGetVcpusFlags = 200;
    /// <summary>Its reply is followed by STREAM packets both ways with the call's serial (a console).</summary>
    public const int DomainOpenConsole = 201;
    public const int DomainSetMemoryFlags = 204;
    public const int DomainScreenshot = 211;
    public const int DomainGetState = 212;
    public const int DomainUndefineFlags = 231;
    public const int DomainSaveFlags = 232;
    public const int DomainRestoreFlags = 233;
    public const int DomainDestroyFlags = 234;
    public const int DomainBlockStatsFlags = 243;
    public const int DomainSnapshotGetParent = 244;
    public const int DomainReset = 245;
    public const int DomainSnapshotNumChildren = 246;
    public const int DomainShutdownFlags = 258;
    public const int DomainGetCpuStats = 262;
    public const int DomainSnapshotIsCurrent = 271;
    public const int DomainSnapshotHasMetadata = 272;
    public const int ConnectListAllDomains = 273;
    public const int DomainListAllSnapshots = 274;
    public const int DomainGetJobStats = 298;
    public const int DomainEventDeviceRemoved = 311;
    public const int ConnectDomainEventCallbackRegisterAny = 316;
    public const int ConnectDomainEventCallbackDeregisterAny = 317;
    public const int DomainEventCallbackLifecycle = 318;
    public const int DomainEventCallbackReboot = 319;
    public const int DomainEventCallbackDeviceRemoved = 333;
    public const int ConnectGetDomainCapabilities = 342;
    public const int DomainOpenGraphicsFd = 343;
    public const int ConnectGetAllDomainStats = 344;
    public const int DomainDefineXmlFlags = 350;
    public const int DomainEventCallbackDeviceAdded = 354;
    public const int ConnectRegisterCloseCallback = 360;
    public const int ConnectUnregisterCloseCallback = 361;
    public const int DomainGetMessages = 426;

    public const int ConnectNumOfStoragePools = 71;
    public const int ConnectListStoragePools = 72;
    public const int ConnectNumOfDefinedStoragePools = 73;
    public const int ConnectListDefinedStoragePools = 74;
    public const int StoragePoolCreateXml = 76;
    public const int StoragePoolDefineXml = 77;
    public const int StoragePoolCreate = 78;
    public const int StoragePoolBuild = 79;
    public const int StoragePoolDestroy = 80;
    public const int StoragePoolUndefine = 82;
    public const int StoragePoolRefresh = 83;
    public const int StoragePoolLookupByName = 84;
    public const int StoragePoolLookupByUuid = 85;
    public const int StoragePoolLookupByVolume = 86;
    public const int StoragePoolGetInfo = 87;
    public const int StoragePoolGetXmlDesc = 88;
    public const int StoragePoolGetAutostart = 89;
    public const int StoragePoolSetAutostart = 90;
    public const int StoragePoolNumOfVolumes = 91;
    public const int StoragePoolListVolumes = 92;
    public const int StorageVolCreateXml = 93;
    public const int StorageVolDelete = 94;
    public const int StorageVolLookupByName = 95;
    public const int StorageVolLookupByKey = 96;
    public const int StorageVolLookupByPath = 97;
    public const int StorageVolGetInfo = 98;
    public const int StorageVolGetXmlDesc = 99;
    public const int StorageVolGetPath = 100;
    public const int StoragePoolIsActive = 154;
    public const int StoragePoolIsPersistent = 155;
    public const int ConnectListAllStoragePools = 281;
    public const int StoragePoolListAllVolumes = 282;
    public const int StoragePoolLookupByTargetPath = 391;
    public const int ConnectStoragePoolEventRegisterAny = 368;
    public const int ConnectStoragePoolEventDeregisterAny = 369;
    public const int StoragePoolEventLifecycle = 370;
    public const int StoragePoolEventRefresh = 373;

    /// <summary>Networks: Virt has none (guests use user-mode or bridged NICs), so the listings are empty.</summary>
    public const int ConnectListDefinedNetworks = 36;
    public const int ConnectListNetworks = 38;
    public const int NetworkLookupByName = 46;
    public const int NetworkLookupByUuid = 47;
    public const int ConnectNumOfDefinedNetworks = 50;
    public const int ConnectNumOfNetworks = 52;
    public const int ConnectListAllNetworks = 283;
    public const int ConnectNetworkEventRegisterAny = 313;
    public const int ConnectNetworkEventDeregisterAny = 314;
    public const int NetworkListMax = 16384;

    /// <summary>Node devices: none listed (no device assignment in Virt).</summary>
    public const int NodeNumOfDevices = 111;
    public const int NodeListDevices = 112;
    public const int NodeDeviceLookupByName = 113;
    public const int ConnectListAllNodeDevices = 285;
    public const int ConnectNodeDeviceEventRegisterAny = 374;
    public const int ConnectNodeDeviceEventDeregisterAny = 375;
    public const int NodeDeviceListMax = 65536;

    public const int NodeGetMemoryStats = 228;
    public const int NodeMemoryStatsMax = 16;
    public const int DomainInterfaceAddresses = 353;
    public const int DomainGetSchedulerType = 56;
    public const int DomainIsUpdated = 202;

    /// <summary>QEMU_PROGRAM's one procedure Virt serves.</summary>
    public const int QemuDomainMonitorCommand = 1;

    /// <summary>remote_protocol.x's caps: REMOTE_STRING_MAX and the array limits Virt's structs use.</summary>
    public const int DomainAbortJobFlags = 442;
    public const int StringMax = 4194304;
    public const int DomainListMax = 16384;
    public const int DomainNameListMax = 16384;
    public const int DomainIdListMax = 16384;
    public const int AuthTypeListMax = 20;
    public const int DomainMessagesMax = 2048;
    public const int SecurityModelBufLen = 257;
    public const int SecurityLabelBufLen = 4097;
    public const int StoragePoolListMax = 16384;
    public const int StorageVolListMax = 16384;
}

/// <summary>The event ids of CONNECT_DOMAIN_EVENT_(CALLBACK_)REGISTER_ANY that Virt produces (virDomainEventID).</summary>
public static class DomainEventId
{
    public const int Lifecycle = 0;
    public const int Reboot = 1;
    public const int DeviceRemoved = 15;
    public const int DeviceAdded = 19;
    /// <summary>VIR_DOMAIN_EVENT_ID_LAST in libvirt 9.0: ids up to it register (and stay silent if Virt has no such event).</summary>
    public const int Last = 27;
}

/// <summary>VIR_DRV_FEATURE_* numbers a client probes with CONNECT_SUPPORTS_FEATURE.</summary>
public static class DriverFeature
{
    /// <summary>VIR_DRV_FEATURE_FD_PASSING: virDomainOpenGraphicsFD asks before it calls.</summary>
    public const int FdPassing = 8;
    public const int TypedParamString = 9;
    public const int ProgramKeepalive = 10;
    public const int RemoteEventCallback = 14;
    public const int RemoteCloseCallback = 15;
    public const int NetworkUpdateHasCorrectOrder = 16;
}
