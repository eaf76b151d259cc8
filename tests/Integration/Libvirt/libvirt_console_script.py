# A guest's console through python3-libvirt's streams, as virt-manager's serial console uses them: openConsole, send
# and recv, abort (which waits for the daemon's confirm), a second open refused, a forced one taking over, finish.
# Prints one line per check; any failure raises, so the exit status tells.
import sys

import libvirt

uri, name = sys.argv[1], sys.argv[2]
conn = libvirt.open(uri)
dom = conn.lookupByName(name)


def echo(stream, text):
    stream.send(text.encode() + b"\r")
    seen = b""
    while text.encode() not in seen:
        data = stream.recv(1024)
        if not data:
            raise RuntimeError("the console ended before the echo of " + text)
        seen += data
    return text


first = conn.newStream(0)
dom.openConsole(None, first, 0)
print("echo", echo(first, "from python"))
first.abort()
print("aborted")

second = conn.newStream(0)
dom.openConsole("serial0", second, 0)
print("echo", echo(second, "after the abort"))
try:
    dom.openConsole(None, conn.newStream(0), 0)
    print("refused False")
except libvirt.libvirtError as e:
    print("refused", e.get_error_code() == libvirt.VIR_ERR_OPERATION_FAILED, e.get_error_message())

third = conn.newStream(0)
dom.openConsole(None, third, libvirt.VIR_DOMAIN_CONSOLE_FORCE)
try:
    while True:
        second.recv(1024)
except libvirt.libvirtError as e:
    print("taken over", e.get_error_message())
print("echo", echo(third, "after the takeover"))
third.finish()
print("finished")

try:
    dom.openConsole("serial9", conn.newStream(0), 0)
except libvirt.libvirtError as e:
    print("missing", e.get_error_code() == libvirt.VIR_ERR_INTERNAL_ERROR, e.get_error_message())
