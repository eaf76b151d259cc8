# API rates through python3-libvirt, the same script against virtd and libvirtd:
#   define URI TEMPLATE COUNT   defines idle-0000.. from TEMPLATE (NAME is replaced), prints defines/s
#   lookup URI SECONDS          lookupByName + info() over the idle domains for SECONDS, prints lookups/s
#   undefine URI                undefines every idle-* domain
import sys
import time

import libvirt

mode, uri = sys.argv[1], sys.argv[2]
conn = libvirt.open(uri)
if mode == "define":
    with open(sys.argv[3]) as f:
        template = f.read()
    count = int(sys.argv[4])
    start = time.perf_counter()
    for i in range(count):
        conn.defineXML(template.replace("NAME", "idle-%04d" % i))
    print("%.0f" % (count / (time.perf_counter() - start)))
elif mode == "lookup":
    names = [d.name() for d in conn.listAllDomains(0) if d.name().startswith("idle-")]
    deadline = time.perf_counter() + float(sys.argv[3])
    done = 0
    start = time.perf_counter()
    while time.perf_counter() < deadline:
        conn.lookupByName(names[done % len(names)]).info()
        done += 1
    print("%.0f" % (done / (time.perf_counter() - start)))
elif mode == "undefine":
    for d in conn.listAllDomains(0):
        if d.name().startswith("idle-"):
            d.undefine()
conn.close()
