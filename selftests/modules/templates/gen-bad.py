#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the C source of one rustver_bad_* module (templates/rustver_bad.c.in).

Usage: gen-bad.py TEMPLATE ctlsym|crates128|chain > OUT.c
"""
import sys

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def b62(n):
    s = ""
    while True:
        s = DIGITS[n % 62] + s
        n //= 62
        if not n:
            return s


def backref(pos):
    """A v0 backref to POS, counted from just after _R."""
    return "B" + ("_" if pos == 0 else b62(pos - 1) + "_")


def chain(links):
    """<dyn foo + B + B ... as fn> where each B points at the previous link."""
    s, prev = "YFDC3foo", 3
    for _ in range(links):
        pos = len(s)
        s += backref(prev)
        prev = pos
    return "_R" + s + "EL_Eu" + backref(prev)


def names(kind):
    if kind == "ctlsym":
        # QQQQQQQQ becomes control bytes after the build (build-selftest-modules.sh).
        return ["_RNvCQQQQQQQQ3foo"]
    if kind == "crates128":
        return ["_RNvC7rvc%04d3foo" % i for i in range(128)]
    if kind == "chain":
        return [chain(100)]
    sys.exit("unknown kind " + kind)


def main():
    template, kind = sys.argv[1], sys.argv[2]
    syms = names(kind)
    imports = "\n".join('extern int rustver_bad_%d __asm__("%s") __attribute__((weak));' % (i, s)
                        for i, s in enumerate(syms))
    refs = "\n".join("\t&rustver_bad_%d," % i for i in range(len(syms)))
    with open(template) as f:
        sys.stdout.write(f.read().replace("@IMPORTS@", imports).replace("@REFS@", refs))


main()
