#!/usr/bin/env python3
"""Compares `rustver symbols --origins` with binutils' c++filt, the oracle.

For every v0 symbol given (one per line in each FILE; System.map and nm
lines are accepted, the last field is the symbol), c++filt's crate roots
(printed as name[hex]) must equal the engine's crates seen in the printed
path, types or consts; the engine's extra crates may only come from impl
paths (M/X) or the instantiating crate, which demanglers do not print.

Usage: oracle.py RUSTVER FILE...   prints one line per problem, then a count.
"""
import re
import subprocess
import sys

CRATE = re.compile(r"([A-Za-z0-9_]+)\[([0-9a-f]+)\]")
ENGINE = re.compile(r"([A-Za-z0-9_]+)\[([0-9a-f]+)\]\{([a-z,]+)\}")


def symbols(paths):
    out = []
    for path in paths:
        with open(path, encoding="ascii", errors="replace") as f:
            for line in f:
                fields = line.split()
                if fields and fields[-1].startswith("_R"):
                    out.append(fields[-1])
    return sorted(set(out))


def main():
    rustver, paths = sys.argv[1], sys.argv[2:]
    syms = symbols(paths)
    if not syms:
        print("oracle: no v0 symbols in " + " ".join(paths))
        return 2
    text = "\n".join(syms) + "\n"
    eng = subprocess.run([rustver, "symbols", "--origins"], input=text,
                         capture_output=True, text=True, check=False)
    dem = subprocess.run(["c++filt"], input=text, capture_output=True,
                         text=True, check=True)
    eng_lines = eng.stdout.splitlines()
    dem_lines = dem.stdout.splitlines()
    if len(eng_lines) != len(syms) or len(dem_lines) != len(syms):
        print(f"oracle: line count mismatch: {len(syms)} symbols, "
              f"{len(eng_lines)} from rustver, {len(dem_lines)} from c++filt")
        return 1
    bad = 0
    for sym, e, d in zip(syms, eng_lines, dem_lines):
        name, _, rest = e.partition("\t")
        if name != sym or rest.startswith("error"):
            print(f"rustver failed on {sym}: {rest}")
            bad += 1
            continue
        if d == sym:
            print(f"c++filt cannot demangle {sym}")
            bad += 1
            continue
        crates = ENGINE.findall(rest)
        printed = {(n, h) for n, h, o in crates if "path" in o}
        hidden = {(n, h) for n, h, o in crates if "path" not in o}
        oracle = set(CRATE.findall(d))
        if oracle != printed:
            print(f"{sym}: c++filt {sorted(oracle)} != rustver printed "
                  f"{sorted(printed)} (demangled: {d})")
            bad += 1
        elif not oracle <= printed | hidden:
            bad += 1
    print(f"oracle: {len(syms)} symbols, {bad} disagreements")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
