#!/usr/bin/env python3
"""Fails when the main wasm module holds every page's constant data.

The wasm splitter moves each page's words and static text into that page's chunk, given room in
the read-only data (`SPLIT_ROOM` in frontend/src/lib.rs). Without enough room it keeps all of it
in the main module, silently: some 90 KB raw more on every first load. Usage: FILE.wasm LIMIT_KB
"""
import sys


def leb(b, i):
    value = shift = 0
    while True:
        byte = b[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


path, limit_kb = sys.argv[1], int(sys.argv[2])
wasm = open(path, "rb").read()
i, data = 8, 0
while i < len(wasm):
    section = wasm[i]
    size, i = leb(wasm, i + 1)
    if section == 11:
        data += size
    i += size
if data > limit_kb * 1024:
    sys.exit(
        f"{path}: its data section is {data / 1024:.1f} KB, over {limit_kb} KB: the wasm splitter "
        "kept every page's data in the main module; give it more room (SPLIT_ROOM in "
        "frontend/src/lib.rs)"
    )
print(f"main module data: {data / 1024:.1f} KB (at most {limit_kb} KB)")
