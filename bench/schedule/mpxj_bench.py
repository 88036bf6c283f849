#!/usr/bin/env python3
"""Helpers for bench/schedule/run.sh.

Subcommands:
  mpxj --out F --crit-dir D [--repeats R] FILE...
        (in the venv with mpxj + JPype1) times MPXJ on each MSPDI file: MSPDIReader.read, then
        MicrosoftScheduler.schedule, after one warm-up read and schedule per file that is not
        counted; appends one JSON line per file to F and writes the critical tasks' UIDs to D
  report --meta F --keel F --mpxj F --crit-dir D --out F.md
        (standard library) checks that both tools found the same finish and critical set, prints a
        MISMATCH line for every difference, and renders the Markdown table
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time


def stem(path):
    return os.path.splitext(os.path.basename(path))[0]


def iso(text):
    """Normalises an ISO date-time (Java omits zero seconds) to YYYY-MM-DDTHH:MM:SS."""
    return dt.datetime.fromisoformat(str(text)).strftime("%Y-%m-%dT%H:%M:%S")


# --- MPXJ ----------------------------------------------------------------------------------------


def cmd_mpxj(args):
    import jpype
    import mpxj  # noqa: F401  (puts the bundled jars on the class path)

    jpype.startJVM(f"-Xmx{args.heap}", convertStrings=False)
    from java.lang import Runtime, System
    from org.mpxj.cpm import MicrosoftScheduler
    from org.mpxj.mspdi import MSPDIReader

    from importlib.metadata import version as dist_version

    version = dist_version("mpxj")

    def read(path):
        return MSPDIReader().read(path)

    def schedule(project):
        MicrosoftScheduler().schedule(project, project.getProjectProperties().getStartDate())

    def timed(f, *a):
        System.gc()
        t0 = time.perf_counter()
        v = f(*a)
        return v, (time.perf_counter() - t0) * 1e3

    for path in args.files:
        repeats = args.repeats
        print(f"  MPXJ {os.path.basename(path)}: warm-up, then {repeats} reads and schedules", file=sys.stderr)
        # Warm-up, not counted: one read and schedule, repeated (up to 10 times) until 3 s have
        # passed, so the JIT has compiled the reader and the scheduler on small files as well.
        warm_runs, warm_total = 0, 0.0
        while warm_runs == 0 or (warm_runs < 10 and warm_total < 3000):
            project, warm_read = timed(read, path)
            _, warm_sched = timed(schedule, project)
            project = None
            warm_runs += 1
            warm_total += warm_read + warm_sched
        reads, scheds = [], []
        for _ in range(repeats):
            project = None
            project, ms = timed(read, path)
            reads.append(ms)
        for _ in range(repeats):
            _, ms = timed(schedule, project)
            scheds.append(ms)
        # Results, outside the timing: MPXJ computes total slack and the critical flag on access.
        t0 = time.perf_counter()
        finish = None
        crit = []
        tasks = 0
        for t in project.getTasks():
            uid = t.getUniqueID()
            if uid is None or int(uid) == 0 or t.getNull() or t.getSummary() or not t.getActive():
                continue
            tasks += 1
            f = t.getFinish()
            if f is not None:
                f = iso(f.toString())
                finish = f if finish is None or f > finish else finish
            if t.getCritical():
                crit.append(int(uid))
        float_s = time.perf_counter() - t0
        crit.sort()
        os.makedirs(args.crit_dir, exist_ok=True)
        with open(os.path.join(args.crit_dir, stem(path) + ".mpxj.critical"), "w") as f:
            f.write("".join(f"{k}\n" for k in crit))
        rt = Runtime.getRuntime()
        row = {
            "file": path,
            "mpxj_version": version,
            "tasks": tasks,
            "links": int(project.getRelations().size()),
            "repeats": repeats,
            "warmup_runs": warm_runs,
            "warmup_read_ms": round(warm_read, 3),
            "warmup_schedule_ms": round(warm_sched, 3),
            "read_ms": round(statistics.median(reads), 3),
            "read_min_ms": round(min(reads), 3),
            "schedule_ms": round(statistics.median(scheds), 3),
            "schedule_min_ms": round(min(scheds), 3),
            "results_s_python": round(float_s, 2),
            "heap_used_mb": round((rt.totalMemory() - rt.freeMemory()) / 2**20),
            "finish": finish,
            "critical_count": len(crit),
        }
        with open(args.out, "a") as f:
            f.write(json.dumps(row) + "\n")
        print(
            f"  MPXJ {os.path.basename(path)}: read {row['read_ms']:.1f} ms, schedule {row['schedule_ms']:.1f} ms,"
            f" finish {finish}, {len(crit)} critical",
            file=sys.stderr,
        )
        project = None


# --- report --------------------------------------------------------------------------------------


def load(path):
    rows = {}
    if os.path.exists(path):
        for line in open(path):
            if line.strip():
                r = json.loads(line)
                rows[r["file"]] = r
    return rows


def label(path):
    s = stem(path)
    if s.startswith("gen-"):
        _, variant, n = s.split("-")
        kind = "one calendar, FS" if variant == "simple" else "5 calendars, FS/SS/FF, lags"
        return f"generated {int(n):,} ({kind})"
    return f"`{os.path.basename(path)}`"


def fmt_ms(v):
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:,.0f} ms"
    if v >= 10:
        return f"{v:.1f} ms"
    return f"{v:.2f} ms"


def ratio(m, k):
    if m is None or k is None or k <= 0:
        return "-"
    r = m / k
    return f"**{r:,.0f}x**" if r >= 10 else f"**{r:.1f}x**"


def read_keys(path):
    if not os.path.exists(path):
        return None
    return [line.strip() for line in open(path) if line.strip()]


def compare(keel, mp, crit_dir):
    """Problems (empty when both tools agree on the finish and the critical set)."""
    s = stem(keel["file"])
    problems = []
    if iso(keel["finish"]) != (mp["finish"] and iso(mp["finish"])):
        problems.append(f"project finish: Keel {keel['finish']}, MPXJ {mp['finish']}")
    if keel["tasks"] != mp["tasks"]:
        problems.append(f"tasks scheduled: Keel {keel['tasks']}, MPXJ {mp['tasks']}")
    kk = read_keys(os.path.join(crit_dir, s + ".keel.critical"))
    mk = read_keys(os.path.join(crit_dir, s + ".mpxj.critical"))
    if kk is None or mk is None:
        problems.append("a critical-task list is missing")
    elif kk != mk:
        only_k = sorted(set(kk) - set(mk), key=lambda x: (len(x), x))
        only_m = sorted(set(mk) - set(kk), key=lambda x: (len(x), x))

        def some(keys):
            return f" (UIDs {', '.join(keys[:8])}{', ...' if len(keys) > 8 else ''})" if keys else ""

        problems.append(
            f"critical tasks: Keel {len(kk)}, MPXJ {len(mk)}; "
            f"only Keel {len(only_k)}{some(only_k)}, only MPXJ {len(only_m)}{some(only_m)}"
        )
    return problems


def cmd_report(args):
    meta = json.load(open(args.meta))
    keel = load(args.keel)
    mpxj = load(args.mpxj)
    lines = [
        "| Schedule | Tasks | Links | Read: Keel | MPXJ | MPXJ/Keel | XML events alone | MPXJ/XML events | Schedule: Keel | MPXJ | MPXJ/Keel "
        "| Read + schedule: Keel | MPXJ | MPXJ/Keel | Keel pass, compiled | Keel one edit | Same finish and critical set |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    mismatches = []
    for path, k in keel.items():
        m = mpxj.get(path)
        if m is None:
            check = "MPXJ not run"
        else:
            problems = compare(k, m, args.crit_dir)
            for p in problems:
                print(f"MISMATCH {os.path.basename(path)}: {p}")
                mismatches.append(f"- MISMATCH, {label(path)}: {p}")
            check = (
                f"yes ({k['critical_count']:,} critical, finish {k['finish'][:10]})"
                if not problems
                else f"**MISMATCH** (see below; finish {'same' if iso(k['finish']) == iso(m['finish']) else 'differs'})"
            )
        mr = m and m["read_ms"]
        ms = m and m["schedule_ms"]
        lines.append(
            f"| {label(path)} | {k['tasks']:,} | {k['links']:,} "
            f"| {fmt_ms(k['read_ms'])} | {fmt_ms(mr)} | {ratio(mr, k['read_ms'])} "
            f"| {fmt_ms(k.get('tokenize_ms'))} | {ratio(mr, k.get('tokenize_ms'))} "
            f"| {fmt_ms(k['schedule_ms'])} | {fmt_ms(ms)} | {ratio(ms, k['schedule_ms'])} "
            f"| {fmt_ms(k['read_ms'] + k['schedule_ms'])} | {fmt_ms(m and mr + ms)} "
            f"| {ratio(m and mr + ms, k['read_ms'] + k['schedule_ms'])} "
            f"| {fmt_ms(k['run_ms'])} | {k['incremental_us']:,.1f} µs{' (full backward)' if k['incremental_full'] else ''} "
            f"| {check} |"
        )
    notes = [
        "",
        f"Run of `{meta['command']}` on {meta['date']} at commit `{meta['commit']}`{meta['dirty']}: "
        f"{meta['cpu']}, {meta['cores']} cores, {meta['mem']}; {meta['java']}; MPXJ {meta['mpxj']} (PyPI `mpxj`, "
        f"through JPype). Machine busy with other work before each measurement: {meta.get('busy', '?')}.",
        "",
        "Median of the repeats (Keel "
        f"{meta['keel_repeats']}; MPXJ {meta['mpxj_repeats']}, in a fresh JVM per file after uncounted "
        "warm-up reads and schedules of the same file: at least one, then more until 3 s or 10 runs). *Read*: file to model (Keel `keel_interop::import`, MPXJ `MSPDIReader.read`). "
        "*XML events alone*: reading the file and walking quick-xml's events without looking at them, "
        "the floor under any reader built on that parser; *MPXJ/XML events* is the most a quick-xml "
        "reader could gain on MPXJ. "
        "*Schedule*: Keel `keel_engine::schedule::schedule` (compile the network, both passes, float, "
        "critical flags, longest path and the per-task results); MPXJ `MicrosoftScheduler.schedule` (early "
        "and late dates; MPXJ computes total slack and the critical flag later, when they are read, so they "
        "are not in its time). *Keel pass, compiled*: `Network::run` on a network compiled once. "
        "*Keel one edit*: median of one-task duration edits (+1 day) at the middle task with "
        "`Network::set_duration`, each followed by its undo; \"full backward\" when the edit moved the "
        "project finish, so every late date was recomputed.",
    ]
    if mismatches:
        notes += ["", "Where Keel and MPXJ disagree:", ""] + mismatches
    text = "\n".join(lines + notes) + "\n"
    with open(args.out, "w") as f:
        f.write(text)
    print(text)
    if mismatches:
        print(f"MISMATCH: Keel and MPXJ differ in {len(mismatches)} place(s) (details above)", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(required=True)
    p = sub.add_parser("mpxj")
    p.add_argument("--out", required=True)
    p.add_argument("--crit-dir", required=True)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--heap", default="8g")
    p.add_argument("files", nargs="+")
    p.set_defaults(f=cmd_mpxj)
    p = sub.add_parser("report")
    p.add_argument("--meta", required=True)
    p.add_argument("--keel", required=True)
    p.add_argument("--mpxj", required=True)
    p.add_argument("--crit-dir", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(f=cmd_report)
    args = ap.parse_args()
    args.f(args)


if __name__ == "__main__":
    main()
