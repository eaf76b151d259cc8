# Drives virtd through python3-libvirt as a script would: open, defineXML, create, listAllDomains, state, info,
# XMLDesc, lookups, lifecycle and reboot callbacks under virEventRegisterDefaultImpl, reset, destroy, undefine, libvirtError codes.
# Prints one line per check; any failure raises, so the exit status tells.
import sys
import threading
import time

import libvirt

uri, xml_path = sys.argv[1], sys.argv[2]
libvirt.virEventRegisterDefaultImpl()
loop = threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)], daemon=True)
loop.start()

conn = libvirt.open(uri)
print("type", conn.getType())
print("lib", conn.getLibVersion())
print("secure", conn.isSecure())

events = []
got_stop = threading.Event()


def lifecycle(conn, dom, event, detail, opaque):
    events.append((dom.name(), event, detail))
    if event == libvirt.VIR_DOMAIN_EVENT_STOPPED:
        got_stop.set()


got_reboot = threading.Event()


def reboot(conn, dom, opaque):
    got_reboot.set()


callback = conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, lifecycle, None)
reboot_callback = conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_REBOOT, reboot, None)

with open(xml_path) as f:
    dom = conn.defineXML(f.read())
print("defined", dom.name(), dom.isPersistent(), dom.isActive())
dom.create()
state, reason = dom.state()
print("state", state == libvirt.VIR_DOMAIN_RUNNING, reason == libvirt.VIR_DOMAIN_RUNNING_BOOTED)
info = dom.info()
print("info", info[0] == libvirt.VIR_DOMAIN_RUNNING, info[1], info[3])
print("listed", [d.name() for d in conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE)])
print("by-uuid", conn.lookupByUUIDString(dom.UUIDString()).name())
print("by-id", conn.lookupByID(dom.ID()).name())
print("xml", "<name>%s</name>" % dom.name() in dom.XMLDesc(0))
dom.reset(0)
print("reboot-event", got_reboot.wait(20))

try:
    conn.lookupByName("nosuch")
except libvirt.libvirtError as e:
    print("missing", e.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN)
try:
    conn.defineXML("<domain type='qemu'><name>broken</name>")
except libvirt.libvirtError as e:
    print("bad-xml", e.get_error_code() == libvirt.VIR_ERR_XML_ERROR)
try:
    conn.interfaceLookupByName("eth0")  # no host interface driver in Virt
except libvirt.libvirtError as e:
    print("unsupported", e.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT)

dom.destroy()
print("stopped-event", got_stop.wait(20))
print("events", [(e, d) for (n, e, d) in events if n == dom.name()])
conn.domainEventDeregisterAny(callback)
conn.domainEventDeregisterAny(reboot_callback)
dom.undefine()
print("remaining", [d.name() for d in conn.listAllDomains(0)])
conn.close()
