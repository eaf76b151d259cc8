# What cockpit-machines asks through libvirt-dbus beyond domains, through python3-libvirt: storage pool events
# (refresh after refresh, lifecycle), the empty network and node-device drivers, host memory stats in two passes, and
# interface addresses. One line per check.
import sys
import threading
import time

import libvirt

uri, xml_path, pool_dir = sys.argv[1], sys.argv[2], sys.argv[3]
libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)], daemon=True).start()
conn = libvirt.open(uri)


def code(call):
    try:
        call()
        return None
    except libvirt.libvirtError as e:
        return e.get_error_code()


def wait_for(items, count):
    deadline = time.time() + 10
    while len(items) < count and time.time() < deadline:
        time.sleep(0.05)


pool_events = []
lifecycle = conn.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                                             lambda c, p, e, d, o: pool_events.append(("lifecycle", p.name(), e, d)), None)
refresh = conn.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_REFRESH,
                                           lambda c, p, o: pool_events.append(("refresh", p.name())), None)
pool = conn.storagePoolDefineXML(f"<pool type='dir'><name>cp</name><target><path>{pool_dir}</path></target></pool>")
pool.create()
pool.refresh()
by_uuid = conn.storagePoolLookupByUUIDString(pool.UUIDString())
pool.destroy()
pool.undefine()
wait_for(pool_events, 5)
print("pool-events", pool_events)
print("pool-by-uuid", by_uuid.name())
conn.storagePoolEventDeregisterAny(lifecycle)
conn.storagePoolEventDeregisterAny(refresh)

print("networks", conn.listAllNetworks(), conn.numOfNetworks(), conn.numOfDefinedNetworks(), conn.listNetworks(), conn.listDefinedNetworks())
print("network-by-name", code(lambda: conn.networkLookupByName("default")) == libvirt.VIR_ERR_NO_NETWORK)
print("network-by-uuid", code(lambda: conn.networkLookupByUUIDString("6d7f5e2a-1b3c-4d5e-8f90-123456789abc")) == libvirt.VIR_ERR_NO_NETWORK)
net_cb = conn.networkEventRegisterAny(None, libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE, lambda *a: None, None)
conn.networkEventDeregisterAny(net_cb)
print("network-events registered")

print("devices", conn.listAllDevices(), conn.numOfDevices(None), conn.listDevices(None))
print("device-by-name", code(lambda: conn.nodeDeviceLookupByName("computer")) == libvirt.VIR_ERR_NO_NODE_DEVICE)
dev_cb = conn.nodeDeviceEventRegisterAny(None, libvirt.VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE, lambda *a: None, None)
conn.nodeDeviceEventDeregisterAny(dev_cb)
print("device-events registered")

memory = conn.getMemoryStats(libvirt.VIR_NODE_MEMORY_STATS_ALL_CELLS)
total = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal:")))
print("memory", sorted(memory.keys()), memory["total"] == total, 0 < memory["free"] <= total)
print("memory-cell0", sorted(conn.getMemoryStats(0).keys()))
print("memory-cell-too-big", code(lambda: conn.getMemoryStats(4096)) == libvirt.VIR_ERR_INVALID_ARG)

dom = conn.defineXML(open(xml_path).read())
print("updated", dom.isUpdated())
print("scheduler", code(lambda: dom.schedulerType()) == libvirt.VIR_ERR_OPERATION_UNSUPPORTED)
print("addresses-shut-off", code(lambda: dom.interfaceAddresses(libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE)) == libvirt.VIR_ERR_OPERATION_INVALID)
dom.create()
print("addresses", dom.interfaceAddresses(libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE),
      dom.interfaceAddresses(libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP))
print("addresses-agent", code(lambda: dom.interfaceAddresses(libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT)) == libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED)
dom.destroy()
dom.undefine()
