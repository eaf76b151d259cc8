# A guest's display through python3-libvirt's openGraphicsFD, as virt-manager's console opens it for a local guest:
# the fd that comes back is a client of QEMU's VNC server. Args: uri, open guest, guest with a VNC password, shut-off
# guest. Prints one line per check; any failure raises, so the exit status tells.
import os
import struct
import sys

import libvirt

uri, plain, guarded, off = sys.argv[1:5]
conn = libvirt.open(uri)


def read(fd, count):
    data = b""
    while len(data) < count:
        chunk = os.read(fd, count - len(data))
        if not chunk:
            raise RuntimeError("the display closed after %d of %d bytes" % (len(data), count))
        data += chunk
    return data


def handshake(fd):
    """RFB 3.8 up to the security types the server offers."""
    greeting = read(fd, 12)
    os.write(fd, b"RFB 003.008\n")
    count = read(fd, 1)[0]
    return greeting, list(read(fd, count))


fd = conn.lookupByName(plain).openGraphicsFD(0)
greeting, types = handshake(fd)
print("greeting", greeting)
print("types", types)
os.close(fd)

# A second client while the first is gone, and one beside another: each is its own connection to the server.
first = conn.lookupByName(plain).openGraphicsFD(0, 0)
second = conn.lookupByName(plain).openGraphicsFD(0, 0)
print("two", read(first, 12) == read(second, 12) == b"RFB 003.008\n")
os.close(first)
os.close(second)

guarded_dom = conn.lookupByName(guarded)
fd = guarded_dom.openGraphicsFD(0)
print("password-types", handshake(fd)[1])
os.close(fd)

# SKIPAUTH: the server lets this client in without the password, through to its framebuffer's description.
fd = guarded_dom.openGraphicsFD(0, libvirt.VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH)
print("skipauth-types", handshake(fd)[1])
os.write(fd, b"\x01")
print("security-result", struct.unpack(">I", read(fd, 4))[0])
os.write(fd, b"\x01")  # ClientInit: shared
width, height = struct.unpack(">HH", read(fd, 4))
print("framebuffer", width > 0 and height > 0)
os.close(fd)

for label, call in [
    ("out-of-range", lambda: conn.lookupByName(plain).openGraphicsFD(1)),
    ("shut-off", lambda: conn.lookupByName(off).openGraphicsFD(0)),
    ("bad-flags", lambda: conn.lookupByName(plain).openGraphicsFD(0, 2)),
]:
    try:
        call()
        print(label, "opened")
    except libvirt.libvirtError as e:
        print(label, e.get_error_code(), e.get_error_message())

conn.close()
