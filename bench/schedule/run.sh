#!/usr/bin/env bash
# Keel's schedule engine and MSPDI import beside MPXJ's (the Java library most open-source tools
# use for the same job): generated networks of 10k and 100k activities (1M with BENCH_1M=1), each
# in a one-calendar FS variant and a five-calendar SS/FF/lag variant, plus the largest file of the
# schedule corpus. Both tools read the same MSPDI file and schedule it; the script checks that they
# find the same project finish and the same critical tasks. See BENCHMARKS.md.
#
# Usage: bench/schedule/run.sh     (from anywhere; results in bench/out/schedule.md)
#
# Settings (environment):
#   BENCH_SIZES="10000 100000"     generated sizes (BENCH_1M=1 adds 1000000)
#   BENCH_VARIANTS="simple calendars"
#   BENCH_SEED=42                  generator seed
#   BENCH_REPEATS=10               Keel repeats per measurement (3 at 1M)
#   BENCH_MPXJ_REPEATS=5           MPXJ repeats after its warm-up (3 at 100k and above)
#   BENCH_MPXJ_MAX=100000          largest generated size MPXJ is run on (BENCH_1M=1 alone runs
#                                  Keel at 1M; set BENCH_MPXJ_MAX=1000000 to run MPXJ there too)
#   BENCH_MPXJ_HEAP=8g             JVM -Xmx
#   BENCH_CORPUS=/work/shared/data/schedules/from-mpp/projectlibre__Microsoft_Office_Project_2003_deployment.xml
#                                  a real file, read in place ("" skips it)
#   BENCH_IDLE_WAIT=120            before each measurement, wait up to this many seconds for the
#                                  machine to be quiet (other processes under 15 % CPU); 0 disables
#   BENCH_SKIP_BUILD=1             use the existing binary
#   CARGO_TARGET_DIR=target/bench  where the release build goes
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/bench/out
DIR=$OUT/schedule
HERE=$ROOT/bench/schedule
HELPER=$HERE/mpxj_bench.py
VENV=$OUT/venv
SIZES=${BENCH_SIZES:-10000 100000}
[[ -n ${BENCH_1M:-} ]] && SIZES="$SIZES 1000000"
VARIANTS=${BENCH_VARIANTS:-simple calendars}
SEED=${BENCH_SEED:-42}
REPEATS=${BENCH_REPEATS:-10}
MPXJ_REPEATS=${BENCH_MPXJ_REPEATS:-5}
MPXJ_MAX=${BENCH_MPXJ_MAX:-100000}
MPXJ_HEAP=${BENCH_MPXJ_HEAP:-8g}
CORPUS=${BENCH_CORPUS-/work/shared/data/schedules/from-mpp/projectlibre__Microsoft_Office_Project_2003_deployment.xml}
IDLE_WAIT=${BENCH_IDLE_WAIT:-120}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target/bench}
BIN=$CARGO_TARGET_DIR/release/examples/schedule_bench

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

for tool in python3 java; do
    command -v "$tool" >/dev/null || die "$tool is required (java: a JRE 11 or later for MPXJ)"
done

mkdir -p "$DIR"
rm -f "$DIR"/keel.jsonl "$DIR"/mpxj.jsonl "$DIR"/*.critical "$DIR"/meta.json "$OUT/schedule.md"

# MPXJ and JPype from PyPI into a virtualenv under bench/out (never committed).
if [[ ! -x $VENV/bin/python ]] || ! "$VENV/bin/python" -c 'import jpype, mpxj' 2>/dev/null; then
    log "installing mpxj and JPype1 into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q mpxj JPype1 >&2
fi

if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
    log "building the schedule_bench example (release, CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
    (cd "$ROOT" && cargo build --release -p keel-interop --example schedule_bench) >&2
fi
[[ -x $BIN ]] || die "no binary at $BIN"

# Waits (bounded) until no other process keeps the machine busy; records the busy share.
BUSY=()
settle() {
    local pct=-
    ((IDLE_WAIT > 0)) && pct=$(python3 "$ROOT/bench/bench.py" idle --max-wait "$IDLE_WAIT")
    BUSY+=("$1 $pct %")
}

# run_case FILE MPXJ(yes|no)
run_case() {
    local file=$1 mpxj=$2 name repeats mrepeats
    name=$(basename "$file" .xml)
    repeats=$REPEATS
    mrepeats=$MPXJ_REPEATS
    local tasks
    tasks=$(grep -c '<Task>' "$file" || true)
    ((tasks >= 500000 && repeats > 3)) && repeats=3
    ((tasks >= 100000 && mrepeats > 3)) && mrepeats=3
    settle "keel $name"
    log "Keel: $name ($repeats repeats)"
    "$BIN" time "$file" "$repeats" "$DIR/$name.keel.critical" | tee -a "$DIR/keel.jsonl" >&2
    if [[ $mpxj == yes ]]; then
        settle "mpxj $name"
        log "MPXJ: $name ($mrepeats repeats after warm-up, -Xmx$MPXJ_HEAP)"
        "$VENV/bin/python" "$HELPER" mpxj --out "$DIR/mpxj.jsonl" --crit-dir "$DIR" --repeats "$mrepeats" \
            --heap "$MPXJ_HEAP" "$file" || log "MPXJ failed on $name (exit $?): no MPXJ numbers for it"
    fi
}

for n in $SIZES; do
    for variant in $VARIANTS; do
        file=$DIR/gen-$variant-$n.xml
        log "generating $n activities ($variant, seed $SEED)"
        "$BIN" generate "$n" "$SEED" "$variant" "$file"
        mpxj=yes
        ((n > MPXJ_MAX)) && mpxj=no
        run_case "$file" "$mpxj"
    done
done
if [[ -n $CORPUS ]]; then
    [[ -r $CORPUS ]] || die "cannot read $CORPUS"
    run_case "$CORPUS" yes
fi

commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$ROOT" status --porcelain -- crates Cargo.toml Cargo.lock 2>/dev/null | grep -q . && echo ' (with uncommitted changes)' || true)
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || echo unknown)
mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo 2>/dev/null || echo unknown)
java=$(java -version 2>&1 | head -n1)
mpxj_version=$("$VENV/bin/python" -c 'from importlib.metadata import version; print(version("mpxj"))')
busy=$(IFS=';'; echo "${BUSY[*]}")
python3 - "$DIR/meta.json" "command=bench/schedule/run.sh" "date=$(date -u +%Y-%m-%d)" "commit=$commit" \
    "dirty=$dirty" "cpu=$cpu" "cores=$(nproc)" "mem=$mem" "java=$java" "mpxj=$mpxj_version" \
    "keel_repeats=$REPEATS (3 at 1M)" "mpxj_repeats=$MPXJ_REPEATS (3 at 100k and above)" "busy=$busy" <<'EOF'
import json, sys
json.dump(dict(a.split("=", 1) for a in sys.argv[2:]), open(sys.argv[1], "w"))
EOF
python3 "$HELPER" report --meta "$DIR/meta.json" --keel "$DIR/keel.jsonl" --mpxj "$DIR/mpxj.jsonl" \
    --crit-dir "$DIR" --out "$OUT/schedule.md"
