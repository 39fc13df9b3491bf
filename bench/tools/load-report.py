#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read the console of bench/load.sh's guest (bench/load-init's "rvbench ..."
lines) and write the markdown fragment bench/results/load.md, atomically.
Every figure in it comes from the console; nothing is typed by hand.
Exit status: 0 when the run is complete (every block, no kernel problem),
1 when it is not (the fragment then says what is missing), 2 on usage errors."""
import argparse
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time

MODS = ("small", "c", "big")
DESC = {
    "small": "small Rust module (rustver_test_hello, stamped)",
    "c": "C module (rustver_test_c, no Rust imports)",
    "big": "generated C module importing Rust symbols (rustver_bench_imports, stamped --unverified)",
}
MODE_DESC = {
    "kmod": "`insmod FILE` + `rmmod NAME` (kmod 34, fork to exit)",
    "sys": "`finit_module(2)` + `delete_module(2)`",
}
TARGET_ADDED = 2.0  # % added to the C and small Rust module's cycle
TARGET_P99 = 5.0  # % of the big module's median load time


def kpct(values, pct):
    """The kernel's percentile (kmod_rustver's time_stat())."""
    s = sorted(values)
    return s[(len(s) - 1) * pct // 100] if s else None


def ms(ns):
    return "%.3f" % (ns / 1e6) if ns is not None else "-"


def us(ns):
    return "%.1f" % (ns / 1e3) if ns is not None else "-"


def boot_ci(a, b, rng, n=1000):
    """95% bootstrap interval of median(a) / median(b)."""
    rs = []
    for _ in range(n):
        ra = statistics.median(rng.choices(a, k=len(a)))
        rb = statistics.median(rng.choices(b, k=len(b)))
        rs.append(ra / rb)
    rs.sort()
    return rs[int(0.025 * n)], rs[int(0.975 * n) - 1]


def met(ok):
    return "met" if ok else "**NOT met**"


def main():
    ap = argparse.ArgumentParser()
    for o in ("console", "out", "qemu-rc", "elapsed", "problems", "accel", "smp", "command",
              "commit", "imports-gen", "host-check"):
        ap.add_argument("--" + o, required=True)
    ap.add_argument("--profile", default="")
    a = ap.parse_args()
    try:
        text = open(a.console, errors="replace").read()
    except OSError as e:
        print("load-report: %s: %s" % (a.console, e), file=sys.stderr)
        return 2

    cycles = {}  # (mode, mod, cfg) -> list of (round, load, unload)
    verdicts = {}  # (mode, mod) -> list of ns
    vstats = {}  # (mode, mod) -> list of dict
    modsize, initalloc, allocs, memdelta, cyclealloc, errors = {}, [], {}, {}, [], []
    info, modules, params, meminfo, sites = {}, {}, {}, {}, {}
    done = None
    bad_lines = 0
    for line in text.splitlines():
        if not line.startswith("rvbench "):
            if "rvbench " in line:
                bad_lines += 1  # one of ours, broken by a kernel message
            continue
        f = line.split()[1:]
        try:
            k = f[0]
            if k == "cycle":
                m, cfg, mode, r = f[1], f[2], f[3], int(f[4])
                cycles.setdefault((mode, m, cfg), []).append((r, int(f[6]), int(f[7])))
            elif k == "verdict":
                verdicts.setdefault((f[3], f[1]), []).append(int(f[6]))
            elif k == "vstat":
                d = dict(zip(f[4::2], (int(x) for x in f[5::2])))
                d["round"] = int(f[3])
                vstats.setdefault((f[2], f[1]), []).append(d)
            elif k == "start":
                info = dict(zip(f[1::2], f[2::2]))
            elif k == "params":
                ci = f.index("cfgs") if "cfgs" in f else len(f) - 2
                params = {"rounds": int(f[2]), "n": int(f[4]), "mem": int(f[-1]),
                          "modes": f[6:ci], "cfgs": f[ci + 1:-2] if "cfgs" in f
                          else ["with", "without"]}
            elif k == "module":
                modules[f[1]] = {"file": f[2], "name": f[3], "size": int(f[4])}
            elif k == "meminfo":
                meminfo[f[1]] = {f[i].rstrip(":"): int(f[i + 1]) for i in range(2, len(f) - 1, 2)}
            elif k == "modsize":
                modsize[f[1]] = int(f[2])
            elif k == "initalloc":
                initalloc.append(" ".join(f[1:]))
            elif k == "alloc":
                allocs[(f[1], f[2])] = {f[i]: int(f[i + 1]) for i in range(3, len(f) - 1, 2)}
            elif k == "memdelta":
                b = f.index("before")
                c = f.index("after")
                pb = {f[i].rstrip(":"): int(f[i + 1]) for i in range(b + 1, c - 1, 2)}
                pa = {f[i].rstrip(":"): int(f[i + 1]) for i in range(c + 1, len(f) - 1, 2)}
                memdelta[(f[1], f[2])] = {x: pa[x] - pb[x] for x in pa if x in pb}
            elif k == "site":
                sites.setdefault((f[1], f[2]), {})[f[3]] = (int(f[4]), int(f[5]))
            elif k == "cyclealloc":
                cyclealloc.append(" ".join(f[1:]))
            elif k == "error":
                errors.append(" ".join(f[1:]))
            elif k == "done":
                done = int(f[2])
            else:
                bad_lines += 1
        except (IndexError, ValueError, KeyError):
            bad_lines += 1

    problems = []
    for line in text.splitlines():
        if re.search(a.problems, line):
            problems.append("kernel problem on the console: " + line.strip())
    rc = int(a.qemu_rc)
    if rc in (124, 137):
        problems.append("QEMU timed out (LOAD_TIMEOUT)")
    elif rc:
        problems.append("QEMU exited with status %d" % rc)
    problems += ["guest: " + e for e in errors]
    if done is None:
        problems.append("the guest never finished (no 'rvbench done')")
    if bad_lines:
        problems.append("%d console line(s) of the benchmark unreadable (cut by kernel messages?)"
                        % bad_lines)
    if info and info.get("clocksource") != "tsc":
        problems.append("the guest's clocksource is %s, not tsc: CLOCK_MONOTONIC has no "
                        "resolution there (refined-jiffies steps by 4 ms)" % info.get("clocksource"))
    modes = params.get("modes", [])
    want = params.get("rounds", 0) * params.get("n", 0)
    for mode in modes:
        for m in [x for x in MODS if x in modules]:
            for cfg in params.get("cfgs", []):
                got = len(cycles.get((mode, m, cfg), []))
                if got != want:
                    problems.append("%s/%s/%s: %d cycles, expected %d" % (mode, m, cfg, got, want))
    if want and want < 200:
        problems.append("only %d cycles per module and configuration (the brief asks for >= 200)"
                        % want)

    rng = random.Random(12)
    out = []
    w = out.append
    w("# Load time and kernel memory of kmod_rustver (QEMU, kernel A)")
    w("")
    w("Written by `bench/load.sh`; do not edit by hand. Raw console: `%s`." % a.console)
    w("")
    w("- date: %s, commit %s, run time %s s" % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                                a.commit, a.elapsed))
    w("- command: `%s`" % a.command)
    w("- host: %d cores, %s, %s" % (os.cpu_count() or 0, host_os(), platform.release()))
    w("- guest: kernel A %s (KASAN, lockdep), QEMU `%s`, %s vCPUs, 1 GiB, clocksource %s"
      % (info.get("kernel", "?"), a.accel, a.smp, info.get("clocksource", "?")))
    w("- rounds: %s; per round, module, configuration and mode: %s cycles, kmod_rustver "
      "(policy=enforce) loaded then not (order alternating per round, module order rotating); "
      "rustver_core and rustver_engine stay loaded" % (params.get("rounds", "?"), params.get("n", "?")))
    w("- modules: " + "; ".join("%s = %s, %s bytes" % (m, DESC[m], modules[m]["size"])
                                  for m in MODS if m in modules))
    w("- big module: %s; host verdict: %s" % (a.imports_gen.replace("gen-imports: ", ""),
                                              host_check(a.host_check)))
    w("- cycle = load + unload, timed in the guest with CLOCK_MONOTONIC by bench/tools/loadtime.c")
    w("")
    if problems:
        w("**The run is incomplete or had problems:**")
        w("")
        for p in problems[:40]:
            w("- " + p)
        w("")

    # ---- cycle times
    verdict_rows = []
    targets = []
    for mode in modes:
        w("## Cycle time: %s" % MODE_DESC.get(mode, mode))
        w("")
        w("| module | cycles with / without | median cycle without, ms | median cycle with, ms "
          "| ratio | added | 95% interval of the ratio | per-round ratios | median load without, ms "
          "| median load with, ms | load ratio | target |")
        w("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | --- |")
        for m in MODS:
            cw = cycles.get((mode, m, "with"), [])
            co = cycles.get((mode, m, "without"), [])
            if not cw or not co:
                w("| %s | %d / %d | - | - | - | - | - | - | - | - | - | no data |" % (m, len(cw), len(co)))
                continue
            tw = [l + u for _, l, u in cw]
            to = [l + u for _, l, u in co]
            mw, mo = statistics.median(tw), statistics.median(to)
            ratio = mw / mo
            lo, hi = boot_ci(tw, to, rng)
            rr = []
            for r in sorted({x[0] for x in cw}):
                a_ = [l + u for rd, l, u in cw if rd == r]
                b_ = [l + u for rd, l, u in co if rd == r]
                if a_ and b_:
                    rr.append(statistics.median(a_) / statistics.median(b_))
            load_o = statistics.median([l for _, l, _ in co])
            load_w = statistics.median([l for _, l, _ in cw])
            added = (ratio - 1) * 100
            if m in ("small", "c"):
                ok = added <= TARGET_ADDED
                tgt = "≤ %g%% added: %s" % (TARGET_ADDED, met(ok))
                targets.append((mode, m, ok, added, lo, hi, mo, mw))
            else:
                tgt = "see the verifier's p99 below"
            w("| %s | %d / %d | %s | %s | %.4f | %+.2f%% | %.4f to %.4f | %.3f to %.3f | %s | %s "
              "| %.4f | %s |"
              % (m, len(tw), len(to), ms(mo), ms(mw), ratio, added, lo, hi, min(rr), max(rr),
                 ms(load_o), ms(load_w), load_w / load_o, tgt))
            verdict_rows.append((mode, m, load_o, mo, mw))
        w("")

    # ---- the split: kmod_rustver loaded with policy=off (hooks, no verdict)
    if "off" in params.get("cfgs", []):
        w("## Where the added time goes: kmod_rustver with policy=off")
        w("")
        w("policy=off keeps the module notifier attached and gives no verdict (no symbol "
          "walk; one counter and one verdict line). Medians of the load part (ms):")
        w("")
        enf = "enforce" in params.get("cfgs", [])
        w("| mode | module | without | off | with (enforce) |%s hooks (off - without) "
          "| verdict path (with - off) |%s verifier's own p50 |"
          % (" enforce, no sysfs reads between cycles |" if enf else "",
             " verdict path without the reads (enforce - off) |" if enf else ""))
        w("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |" + (" ---: | ---: |" if enf else ""))
        for mode in modes:
            for m in MODS:
                med = {}
                for cfg in ("without", "off", "with") + (("enforce",) if enf else ()):
                    x = cycles.get((mode, m, cfg), [])
                    med[cfg] = statistics.median([l for _, l, _ in x]) if x else None
                if None in med.values():
                    continue
                v = verdicts.get((mode, m), [])
                w("| %s | %s | %s | %s | %s |%s %+.3f | %+.3f |%s %s |"
                  % (mode, m, ms(med["without"]), ms(med["off"]), ms(med["with"]),
                     " %s |" % ms(med["enforce"]) if enf else "",
                     (med["off"] - med["without"]) / 1e6, (med["with"] - med["off"]) / 1e6,
                     " %+.3f |" % ((med["enforce"] - med["off"]) / 1e6) if enf else "",
                     ms(kpct(v, 50)) if v else "-"))
        w("")

    # ---- the verifier's own time
    w("## The verifier's own time per verdict")
    w("")
    w("Pooled: every Rust verdict of the run, the `ns=` of its line in "
      "/sys/kernel/rustver/last_verdicts (the figure kmod_rustver adds to its statistics), "
      "percentiles as kmod_rustver computes them. Blocks: kmod_rustver's own "
      "/sys/kernel/rustver/verify_time/ of each block (one fresh load of kmod_rustver per block): "
      "the sum of their counts (each block also verified loadtime's untimed first cycle), the "
      "median of their p50, the largest p99 and max. Consistent: the counts are the verdicts "
      "plus one per block, and no pooled time exceeds the largest block max.")
    w("")
    w("| module | mode | verdicts | pooled p50, µs | pooled p99, µs | pooled max, µs | blocks "
      "| block counts | median block p50, µs | largest block p99, µs | largest block max, µs "
      "| consistent |")
    w("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    pooled_big = []
    for m in ("small", "big"):
        for mode in modes:
            v = verdicts.get((mode, m), [])
            bl = vstats.get((mode, m), [])
            if m == "big":
                pooled_big += v
            cnt = sum(b.get("count", 0) for b in bl)
            bmax = max((b.get("max", 0) for b in bl), default=None)
            # each block's count includes its untimed first cycle (loadtime)
            cons = v and cnt == len(v) + len(bl) and bmax >= max(v)
            w("| %s | %s | %d | %s | %s | %s | %d | %d | %s | %s | %s | %s |"
              % (m, mode, len(v), us(kpct(v, 50)), us(kpct(v, 99)), us(max(v) if v else None),
                 len(bl), cnt, us(statistics.median([b["p50"] for b in bl]) if bl else None),
                 us(max((b["p99"] for b in bl), default=None)), us(bmax),
                 "yes" if cons else "**no**"))
    w("")
    p99_big = kpct(pooled_big, 99)
    w("### Target: the 2,000-import module's verifier p99 ≤ %g%% of its median load time" % TARGET_P99)
    w("")
    w("Verifier p99 over all its verdicts (both modes): %s µs. Load time: the median load part "
      "of its cycles without the verifier." % us(p99_big))
    w("")
    w("| load measured by | median load, ms | p99 / median load | target |")
    w("| --- | ---: | ---: | --- |")
    for mode, m, load_o, _, _ in verdict_rows:
        if m != "big" or p99_big is None:
            continue
        share = 100.0 * p99_big / load_o
        ok = share <= TARGET_P99
        targets.append((mode, "big-p99", ok, share, None, None, load_o, p99_big))
        w("| %s | %s | %.2f%% | ≤ %g%%: %s |" % (MODE_DESC[mode], ms(load_o), share, TARGET_P99,
                                                   met(ok)))
    w("")

    prof_ir, prof_self = read_profile(a.profile)
    nimp_m = re.search(r"(\d+) symbols", a.imports_gen)
    if prof_ir and nimp_m:
        w("Host profile of the same engine on the same module: `valgrind --tool=callgrind "
          "rustver check --table T rustver_bench_imports.ko`: rv_verdict_check() runs %s "
          "instructions, %d per import; self cost of the engine's functions, share of those: %s."
          % (format(prof_ir, ","), prof_ir // int(nimp_m.group(1)),
             ", ".join("%s %.0f%%" % (f, 100.0 * ir / prof_ir) for ir, f in prof_self)))
        w("")

    # ---- why, when a target is not met
    missed = [t for t in targets if not t[2]]
    w("### Targets")
    w("")
    if not targets:
        w("No target could be evaluated (no data).")
    for mode, m, ok, val, lo, hi, base, other in targets:
        if m == "big-p99":
            line = "- big, verifier p99 vs load (%s): %.2f%%: %s" % (mode, val, met(ok))
            nimp = re.search(r"(\d+) symbols", a.imports_gen)
            if not ok and nimp and pooled_big:
                nimp = int(nimp.group(1))
                p50 = kpct(pooled_big, 50)
                line += (". The verdict walks every imported symbol: its median is %s µs for %d "
                         "imports, %.0f ns per import under TCG and KASAN, and the p99 is %s µs; "
                         "%g%% of this load (%s ms) allows %.0f ns per import, so the walk must be "
                         "%.1f times faster (item 1 of issue 12: instructions per symbol, "
                         "bench/RESULTS.md)" % (us(p50), nimp, p50 / nimp, us(other), TARGET_P99,
                                               ms(base), TARGET_P99 / 100 * base / nimp,
                                               other / (TARGET_P99 / 100 * base)))
            w(line)
            continue
        line = "- %s, %s: %+.2f%% added (95%% interval %+.2f%% to %+.2f%%): %s" % (
            m, mode, val, (lo - 1) * 100, (hi - 1) * 100, met(ok))
        if not ok:
            reason = why(m, mode, val, lo, base, other, verdicts)
            line += ". " + reason[:1].upper() + reason[1:]
        w(line)
    w("")
    if missed:
        w("Not met: %d of %d; the reasons are on each line above." % (len(missed), len(targets)))
        w("")

    # ---- memory
    w("## Kernel memory")
    w("")
    w("Resident size (/proc/modules, bytes; the whole module: text, data, bss):")
    w("")
    w("| module | size |")
    w("| --- | ---: |")
    for name in ("rustver_engine", "rustver_core", "kmod_rustver"):
        w("| %s | %s |" % (name, modsize.get(name, "missing")))
    w("| total | %d |" % sum(modsize.values()))
    w("")
    mi = meminfo
    if "preverifier" in mi and "verifier" in mi:
        d = {x: mi["verifier"][x] - mi["preverifier"][x] for x in mi["verifier"]
             if x in mi["preverifier"]}
        w("`modprobe kmod_rustver` (rustver_core already loaded, trace buffers already "
          "allocated), /proc/meminfo deltas, kB: "
          + ", ".join("%s %+d" % (x, d[x]) for x in sorted(d)) + ".")
        w("")
    else:
        w("(This console has no /proc/meminfo delta of `modprobe kmod_rustver` alone: its "
          "snapshots enclose the trace buffers' allocation too.)")
        w("")
    w("Allocations made from rustver's own code while kmod_rustver started "
      "(kmem:kmalloc and kmem:kmem_cache_alloc trace events whose call site is in rustver_engine, "
      "rustver_core or kmod_rustver; a bare address is kmod_rustver_init, whose .init.text is "
      "freed before the trace is read, the only code freed in that window). What the kernel "
      "allocates on its behalf (sysfs files) has the kernel's call sites:")
    w("")
    if initalloc:
        for x in initalloc:
            w("- `%s`" % short_alloc(x))
    else:
        w("- none traced")
    w("")
    mem = params.get("mem", 0)
    if mem:
        w("Per load: %d cycles (finit_module + delete_module, after one warm-up) of each module, "
          "with and without kmod_rustver, traced (kmem:kmalloc, kmem:kmem_cache_alloc, "
          "kmem:mm_page_alloc): all allocations in the kernel during the cycles, per cycle; those "
          "whose call site is in rustver's modules; /proc/meminfo deltas over the block (kB; KASAN "
          "keeps freed objects in quarantine, so Slab grows in both)." % mem)
        w("")
        w("| module | allocations / cycle with | without | difference | bytes / cycle with | without "
          "| pages / cycle with | without | from rustver's code (events, bytes) | ring buffer overruns "
          "| Slab Δ with / without, kB | VmallocUsed Δ with / without, kB |")
        w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | --- |")
        for m in MODS:
            aw, ao = allocs.get((m, "with")), allocs.get((m, "without"))
            if not aw or not ao:
                w("| %s | no data |||||||||||" % m)
                continue
            n = aw["cycles"]
            dw, do = memdelta.get((m, "with"), {}), memdelta.get((m, "without"), {})
            w("| %s | %.1f | %.1f | %+.1f | %.0f | %.0f | %.1f | %.1f | %d, %d | %d | %s / %s | %s / %s |"
              % (m, aw["events"] / n, ao["events"] / n, (aw["events"] - ao["events"]) / n,
                 aw["bytes"] / n, ao["bytes"] / n, aw["pages"] / n, ao["pages"] / n,
                 aw["rustver_events"], aw["rustver_bytes"], aw["overrun"] + ao["overrun"],
                 dw.get("Slab", "?"), do.get("Slab", "?"), dw.get("VmallocUsed", "?"),
                 do.get("VmallocUsed", "?")))
        w("")
        diffs = []
        for m in MODS:
            sw, so = sites.get((m, "with"), {}), sites.get((m, "without"), {})
            for site in set(sw) | set(so):
                cw_, bw_ = sw.get(site, (0, 0))
                co_, bo_ = so.get(site, (0, 0))
                if cw_ != co_ or bw_ != bo_:
                    diffs.append((m, site, cw_, co_, bw_, bo_))
        if diffs:
            w("Call sites whose allocations differ with the verifier (events with / without, "
              "bytes with / without, over the %d cycles):" % mem)
            w("")
            diffs.sort(key=lambda d: (d[0], -abs(d[4] - d[5])))
            for m, site, cw_, co_, bw_, bo_ in diffs[:30]:
                w("- %s: `%s`: %d / %d events, %d / %d bytes" % (m, site, cw_, co_, bw_, bo_))
            w("")
        elif sites:
            w("No call site allocates differently with the verifier than without.")
            w("")
        if cyclealloc:
            w("Allocations from rustver's code during the load cycles (first 20):")
            w("")
            for x in cyclealloc[:20]:
                w("- `%s`" % short_alloc(x))
            w("")
        w("kmod_rustver's per-load state is static (in its resident size above): the last 1,024 "
          "verification times and 16 verdict lines; its verdict work area is allocated once, when "
          "it starts (above), and serialised by a mutex.")
        w("")

    tmp = a.out + ".tmp"
    with open(tmp, "w") as fh:
        fh.write("\n".join(out) + "\n")
    os.replace(tmp, a.out)
    print("load-report: wrote %s%s" % (a.out, " (with problems)" if problems else ""))
    for p in problems[:40]:
        print("load-report: problem: " + p, file=sys.stderr)
    for mode, m, ok, val, *_ in targets:
        print("load-report: %s %s: %.2f%% %s" % (mode, m, val, "met" if ok else "NOT met"))
    return 1 if problems else 0


def why(m, mode, added, lo, base, mw, verdicts):
    s = []
    if lo <= 1.0 + TARGET_ADDED / 100:
        s.append("the 95%% interval reaches below %g%%: the difference is within the noise of "
                 "this run (TCG on a shared host)" % TARGET_ADDED)
    v = verdicts.get((mode, m), [])
    delta = mw - base
    if v:
        p50 = kpct(v, 50)
        s.append("the verifier's own median is %s µs of the %s µs added to the cycle (%.0f%%): "
                 "the rest is not in rv_verdict_check(); `CFGS=with,enforce,off,without` splits "
                 "it between kmod_rustver's hooks (policy=off) and its verdict path "
                 "(bench/results/load-split.md)"
                 % (us(p50), us(delta), 100.0 * p50 / delta if delta > 0 else 0))
    elif m == "c":
        s.append("a C module gets no timed verdict (not Rust); the %s µs added are kmod_rustver's "
                 "hooks and its verdict path for a module without Rust imports; "
                 "`CFGS=with,enforce,off,without` splits them (bench/results/load-split.md)"
                 % us(delta))
    return "; ".join(s)


def read_profile(path):
    ir, selfs = None, []
    try:
        for l in open(path):
            f = l.split()
            if len(f) == 2 and f[0] == "verdict_ir":
                ir = int(f[1])
            elif len(f) == 3 and f[0] == "self":
                selfs.append((int(f[1]), f[2]))
    except (OSError, ValueError):
        pass
    return ir, selfs


def short_alloc(x):
    x = re.sub(r" ptr=\S+", "", x)
    x = re.sub(r" node=\S+", "", x)
    return x


def host_check(path):
    try:
        return "; ".join(l.strip() for l in open(path) if l.strip())
    except OSError as e:
        return "unreadable (%s)" % e


def host_os():
    try:
        for l in open("/etc/os-release"):
            if l.startswith("PRETTY_NAME="):
                return l.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "?"


if __name__ == "__main__":
    sys.exit(main())
