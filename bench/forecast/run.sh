#!/usr/bin/env bash
# Monte Carlo schedule risk: Keel beside a numpy implementation of the same model and TruePPM's
# scheduler, on generated one-calendar networks (crates/engine `generate`, Shape::Simple) of 1k
# and 10k activities x 1k and 10k iterations, triangular durations 90/100/130% of planned.
# Checks that Keel's and numpy's P50/P80 agree within half a working day at 10k iterations
# (at 1k the sampling error of two independent streams is about a day). See BENCHMARKS.md,
# section "Monte Carlo schedule risk".
#
# Usage: bench/forecast/run.sh     (from anywhere; results in bench/out/forecast.md)
#
# Settings (environment):
#   BENCH_TASKS="1000 10000"        network sizes
#   BENCH_ITERATIONS="1000 10000"   iteration counts
#   BENCH_SEED=1                    generator seed
#   BENCH_REPEATS=5                 Keel repeats per cell (best and median reported)
#   BENCH_PEER_REPEATS=3            numpy and TruePPM repeats per cell (best and median reported)
#   BENCH_THREADS=""                Keel worker threads ("" = all cores)
#   BENCH_TRUEPPM=1                 0 skips TruePPM
#   BENCH_SKIP_BUILD=1              use the existing binary
#   CARGO_TARGET_DIR=target/bench   where the release build goes
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/forecast
OUT=$ROOT/bench/out
DIR=$OUT/forecast
VENV=$OUT/forecast-venv
TASKS=${BENCH_TASKS:-1000 10000}
ITERS=${BENCH_ITERATIONS:-1000 10000}
SEED=${BENCH_SEED:-1}
REPEATS=${BENCH_REPEATS:-5}
PEER_REPEATS=${BENCH_PEER_REPEATS:-3}
THREADS=${BENCH_THREADS:-}
TRUEPPM=${BENCH_TRUEPPM:-1}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target/bench}
BIN=$CARGO_TARGET_DIR/release/examples/mc_network

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 is required"
mkdir -p "$DIR"
rm -f "$DIR"/results.jsonl "$OUT/forecast.md"

# numpy and TruePPM from PyPI into a virtualenv under bench/out (never committed).
if [[ ! -x $VENV/bin/python ]] || ! "$VENV/bin/python" -c 'import numpy, trueppm_scheduler' 2>/dev/null; then
    log "installing numpy and trueppm-scheduler into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q numpy trueppm-scheduler >&2
fi
PY=$VENV/bin/python

if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
    log "building mc_network (release)"
    (cd "$ROOT" && cargo build -q --release -p keel-engine --example mc_network)
fi
[[ -x $BIN ]] || die "$BIN not found"

# Runs a command that prints one JSON line N times and appends its best run, with the median
# time and the run count added, to results.jsonl. Every implementation gets the same treatment, so
# the ratios compare best with best.
best_of() {
    local times=$1 runs=$DIR/runs.jsonl
    shift
    rm -f "$runs"
    for _ in $(seq "$times"); do
        "$@" >>"$runs" || return 1
    done
    "$PY" - "$runs" >>"$DIR/results.jsonl" <<'PYEOF'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
best = min(runs, key=lambda r: r["seconds"])
best["median_seconds"] = statistics.median(r["seconds"] for r in runs)
best["runs"] = len(runs)
print(json.dumps(best))
PYEOF
    rm -f "$runs"
}

for n in $TASKS; do
    net=$DIR/network-$n.json
    "$BIN" write "$n" "$SEED" "$net"
    for it in $ITERS; do
        log "$n activities x $it iterations: keel ($REPEATS runs)"
        best_of "$REPEATS" "$BIN" run "$n" "$SEED" "$it" $THREADS
        log "$n activities x $it iterations: numpy ($PEER_REPEATS runs)"
        best_of "$PEER_REPEATS" "$PY" "$HERE/mc_numpy.py" "$net" "$it"
        if [[ $TRUEPPM == 1 ]]; then
            log "$n activities x $it iterations: TruePPM ($PEER_REPEATS runs)"
            best_of "$PEER_REPEATS" "$PY" "$HERE/mc_trueppm.py" "$net" "$it" \
                || log "TruePPM failed on $n x $it (see stderr above)"
        fi
    done
done

"$PY" - "$DIR/results.jsonl" "$(nproc)" <<'PYEOF' | tee "$OUT/forecast.md"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
cores = sys.argv[2]
cells = {}
for r in rows:
    cells.setdefault((r["tasks"], r["iterations"]), {})[r["impl"]] = r
print(f"Cores: {cores}. Times are wall-clock seconds of the simulation alone, best of each implementation's runs (median in brackets); ratios compare best with best.\n")
print("| activities x iterations | Keel s | Keel act-it/s | numpy s | TruePPM s | numpy / Keel | TruePPM / Keel | P50 days Keel / numpy | P80 days Keel / numpy | agree (< 0.5 d) |")
print("|---|---|---|---|---|---|---|---|---|---|")
bad = False
for (n, it), c in sorted(cells.items()):
    k, np_, tp = c.get("keel"), c.get("numpy"), c.get("trueppm")
    ks = k["seconds"]
    agree = abs(k["p50_days"] - np_["p50_days"]) < 0.5 and abs(k["p80_days"] - np_["p80_days"]) < 0.5
    # With independent random streams the P80 of 1,000 iterations moves by about a day from run to
    # run (sampling error), so agreement is required from 10,000 iterations on.
    if it >= 10_000:
        bad |= not agree
        verdict = "yes" if agree else "NO"
    else:
        verdict = ("yes" if agree else "no") + " (not required: sampling error ~1 d)"
    tps = f'{tp["seconds"]:.2f} ({tp["median_seconds"]:.2f})' if tp else "-"
    tpr = f'{tp["seconds"] / ks:.0f}x' if tp else "-"
    print(f'| {n:,} x {it:,} | {ks:.3f} ({k["median_seconds"]:.3f}) | {k["activity_iterations_per_s"]/1e6:.0f} M | {np_["seconds"]:.2f} ({np_["median_seconds"]:.2f}) | {tps} | '
          f'{np_["seconds"] / ks:.0f}x | {tpr} | {k["p50_days"]:.2f} / {np_["p50_days"]:.2f} | {k["p80_days"]:.2f} / {np_["p80_days"]:.2f} | {verdict} |')
if bad:
    print("\nP50/P80 disagreement between Keel and numpy beyond half a day.")
    sys.exit(1)
PYEOF
