#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""rename-module.py IN.ko OUT.ko NEWNAME-HEX: a copy of the real, Kbuild-built
module IN.ko whose module name (the "name=" entry of .modinfo and the name field
of .gnu.linkonce.this_module, which become mod->name) is replaced by the bytes
NEWNAME-HEX of the same length. Only those bytes change, so the copy loads as
the original would: a module whose name carries control bytes, as whoever
builds a module may choose (the loader copies the name without checking it).
ELF64 little-endian only (x86_64, arm64).
"""
import struct
import sys


def sections(data):
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit("rename-module.py: not an ELF64 little-endian file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    heads = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
             for i in range(shnum)]
    stroff = heads[shstrndx][4]
    for h in heads:
        end = data.index(b"\0", stroff + h[0])
        yield data[stroff + h[0]:end].decode(), h[4], h[5]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    src, dst, new = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3])
    data = bytearray(open(src, "rb").read())
    secs = {name: (off, size) for name, off, size in sections(data)}
    for need in (".modinfo", ".gnu.linkonce.this_module"):
        if need not in secs:
            sys.exit(f"rename-module.py: {src}: no {need} section")
    off, size = secs[".modinfo"]
    at = data.find(b"name=", off, off + size)
    while at >= 0 and at != off and data[at - 1] != 0:
        at = data.find(b"name=", at + 1, off + size)
    if at < 0:
        sys.exit(f"rename-module.py: {src}: no name= entry in .modinfo")
    old = bytes(data[at + 5:data.index(b"\0", at)])
    if len(old) != len(new) or b"\0" in new:
        sys.exit(f"rename-module.py: the new name must be {len(old)} bytes (the old "
                 f"name's, '{old.decode()}') without NUL")
    data[at + 5:at + 5 + len(new)] = new
    off, size = secs[".gnu.linkonce.this_module"]
    at = data.find(old + b"\0", off, off + size)
    if at < 0:
        sys.exit(f"rename-module.py: {src}: '{old.decode()}' not in .gnu.linkonce.this_module")
    data[at:at + len(new)] = new
    open(dst, "wb").write(data)


main()
