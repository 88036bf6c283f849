#!/usr/bin/env python3
"""Schedule conformance: recompute every file of the oracle corpus with `keel schedule check` and
compare with the dates MS Project / P6 stored in them.

  scripts/conformance.py check   # CI: fail if the overall match rate or any file's rate drops
                                 # below what docs/conformance.json records
  scripts/conformance.py write   # after an improvement: rewrite docs/conformance.md and .json

The corpus (../shared/data/schedules, or $KEEL_SCHEDULE_CORPUS) is test data and never copied here.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("KEEL_SCHEDULE_CORPUS", ROOT.parent / "shared" / "data" / "schedules"))
KEEL = Path(os.environ.get("KEEL_BIN", ROOT / "target" / "debug" / "keel"))
RECORD = ROOT / "docs" / "conformance.json"
DOC = ROOT / "docs" / "conformance.md"
# GanttProject (.gan) and GNOME Planner files store no computed dates and are not formats Keel reads.
PATTERNS = ["native/mspdi/*.xml", "native/mpx/*.mpx", "native/xer/*.xer", "native/pmxml/*", "from-mpp/*.xml"]


def corpus_files():
    files = []
    for p in PATTERNS:
        files.extend(sorted(CORPUS.glob(p)))
    return files


def mpxj_agreement():
    """The MANIFEST's column on how well MPXJ's scheduler reproduces each file."""
    out = {}
    for line in (CORPUS / "MANIFEST.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("| native/") and not line.startswith("| from-mpp/"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        name = cells[0]
        if name.startswith("native/"):
            m = re.match(r"([\d.]+)% of (\d+) tasks", cells[10]) if len(cells) > 10 else None
            out[name] = f"{m.group(1)}% of {m.group(2)}" if m else cells[10][:40] if len(cells) > 10 else "-"
        else:
            v = cells[-1]
            out[name] = f"{v}%" if re.match(r"^[\d.]+$", v) else "-"
    return out


def run_check():
    files = corpus_files()
    if not files:
        sys.exit(f"no corpus files under {CORPUS}")
    res = subprocess.run([str(KEEL), "schedule", "check", "--json", *map(str, files)], capture_output=True, text=True)
    try:
        doc = json.loads(res.stdout)
    except json.JSONDecodeError:
        sys.exit(f"keel schedule check printed no JSON (exit {res.returncode}):\n{res.stdout}\n{res.stderr}")
    rows = {}
    for f in doc["files"]:
        name = str(Path(f["file"]).relative_to(CORPUS))
        rows[name] = f
    return doc, rows


def field_counts(diffs):
    counts = {}
    for d in diffs:
        for field in d["fields"]:
            counts[field[0]] = counts.get(field[0], 0) + 1
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))


def write(doc, rows):
    mpxj = mpxj_agreement()
    record = {"match_rate": round(doc["match_rate"], 2), "files": {}}
    lines = [
        "# Schedule conformance",
        "",
        "Keel recomputes every schedule in the oracle corpus (`../shared/data/schedules/`, real files written by MS Project and",
        "Primavera P6; see its MANIFEST) and compares each task's early/late start and finish, total float and critical flag with",
        "the values the tool stored. A date matches when equal or within 0.29 working minutes on the task's calendar, float",
        "within 0.01 h; manual, inactive and null tasks and the project summary row are skipped (the MANIFEST's rules).",
        "",
        "Reproduce: `cargo build -p keel-cli && scripts/conformance.py write` (or `keel schedule check FILE...`).",
        "`.ci/run` runs `scripts/conformance.py check`, which fails when the overall rate or any file's rate drops below this",
        "record, so the threshold only goes up.",
        "",
        f"**Overall: {doc['matched']} of {doc['compared']} tasks match ({doc['match_rate']:.2f}%) across {len(rows)} files.**",
        "",
        "| file | format | Keel: tasks matched | Keel % | MPXJ (MANIFEST) | fields that differ (tasks) |",
        "|---|---|---|---|---|---|",
    ]
    for name in sorted(rows):
        f = rows[name]
        if "error" in f:
            lines.append(f"| {name} | - | error: {f['error'][:80]} | - | {mpxj.get(name, '-')} | |")
            record["files"][name] = None
            continue
        rate = f["match_rate"]
        record["files"][name] = None if rate is None else round(rate, 2)
        shown = "no stored dates" if rate is None else f"{f['matched']} of {f['compared']}"
        pct = "-" if rate is None else f"{rate:.1f}"
        lines.append(f"| {name} | {f['format']} | {shown} | {pct} | {mpxj.get(name, '-')} | {field_counts(f['diffs'])} |")
    lines += ["", "## Where Keel and a file disagree", "", "See `docs/conformance-notes.md`.", ""]
    DOC.write_text("\n".join(lines), encoding="utf-8")
    RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {DOC} and {RECORD}: {doc['match_rate']:.2f}%")


def check(doc, rows):
    record = json.loads(RECORD.read_text(encoding="utf-8"))
    failures = []
    if doc["match_rate"] + 0.006 < record["match_rate"]:
        failures.append(f"overall match rate {doc['match_rate']:.2f}% < recorded {record['match_rate']}%")
    for name, want in record["files"].items():
        got = rows.get(name)
        if got is None:
            failures.append(f"{name}: not checked (missing from the corpus?)")
        elif want is not None and ("error" in got or got["match_rate"] is None or got["match_rate"] + 0.006 < want):
            failures.append(f"{name}: {got.get('match_rate', got.get('error'))} < recorded {want}%")
    print(f"schedule conformance: {doc['matched']} of {doc['compared']} tasks match ({doc['match_rate']:.2f}%, recorded {record['match_rate']}%)")
    if failures:
        print("\n".join(f"REGRESSION: {f}" for f in failures))
        sys.exit(1)


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "check"
    if not CORPUS.is_dir():
        print(f"SKIPPED: no schedule corpus at {CORPUS}")
        return
    doc, rows = run_check()
    if mode == "write":
        write(doc, rows)
    elif mode == "check":
        check(doc, rows)
    else:
        sys.exit("usage: conformance.py check|write")


if __name__ == "__main__":
    main()
