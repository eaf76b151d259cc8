# Drives virtd's day-2 operations through python3-libvirt as a script would: bulk stats, memory and block stats,
# internal snapshots, save and restore, managed save; and the lifecycle events they cause. One line per check.
import sys
import threading
import time

import libvirt

uri, xml_path, save_path = sys.argv[1], sys.argv[2], sys.argv[3]
libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)], daemon=True).start()

conn = libvirt.open(uri)
events = []
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, lambda c, d, e, det, o: events.append((e, det)), None)

dom = conn.defineXML(open(xml_path).read())
dom.create()

records = conn.getAllDomainStats(libvirt.VIR_DOMAIN_STATS_STATE | libvirt.VIR_DOMAIN_STATS_BLOCK)
name, stats = records[0][0].name(), records[0][1]
print("stats", name, stats["state.state"], stats["block.count"], stats["block.0.name"], stats["block.0.capacity"] > 0)
print("memory", sorted(dom.memoryStats().keys()))
deadline = time.time() + 20
while dom.blockStats("hda")[0] == 0 and time.time() < deadline:  # until the BIOS read the boot sector
    time.sleep(0.05)
rd_req, rd_bytes, wr_req, wr_bytes, errs = dom.blockStats("hda")
print("block", rd_req > 0, errs)

snap = dom.snapshotCreateXML("<domainsnapshot><name>p1</name><description>py</description></domainsnapshot>")
print("snapshot", snap.getName(), [s.getName() for s in dom.listAllSnapshots()], dom.hasCurrentSnapshot(), snap.isCurrent())
dom.revertToSnapshot(snap)
snap.delete()
print("snapshots-left", dom.snapshotNum())

dom.save(save_path)
print("saved", dom.info()[0] == libvirt.VIR_DOMAIN_SHUTOFF, dom.state()[1] == libvirt.VIR_DOMAIN_SHUTOFF_SAVED)
conn.restore(save_path)
print("restored", dom.state() == [libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_RUNNING_RESTORED])
dom.managedSave()
print("managed", dom.hasManagedSaveImage(), dom.isActive())
dom.create()
print("managed-restored", dom.hasManagedSaveImage(), dom.state()[1] == libvirt.VIR_DOMAIN_RUNNING_RESTORED)

try:
    conn.restore(xml_path)
    print("not-an-image False")
except libvirt.libvirtError as e:
    print("not-an-image", "image magic is incorrect" in str(e))

dom.destroy()
dom.undefine()
deadline = time.time() + 10
while len(events) < 14 and time.time() < deadline:
    time.sleep(0.05)
print("events", events)
