#!/usr/bin/env bash
# Keel benchmark: `keel demo --projects 5000`, then the dashboard and the project list API under
# load (wrk from a second process, on loopback), and the dashboard's render time as a ratio to the
# time of its database queries alone. See BENCHMARKS.md.
#
# Usage: bench/run.sh            (from anywhere; results in bench/out/results.md)
#
# Settings (environment):
#   BENCH_PROJECTS=5000          demo size
#   BENCH_BACKENDS="sqlite postgres"   postgres is skipped if the server below is unreachable
#   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432   PostgreSQL server (no database name)
#   BENCH_PG_DB=keel_bench       database dropped and created by this script, dropped at the end
#   BENCH_DURATION=10s BENCH_CONNECTIONS=8 BENCH_THREADS=1   wrk settings
#   BENCH_SLOW_DURATION=30s      wrk run length for the two dashboard endpoints (about 1 s each)
#   BENCH_IDLE_WAIT=300          before each measurement, wait up to this many seconds for the
#                                machine to be quiet (other processes under 15 % CPU); 0 disables
#   BENCH_RATIO_N=20             sequential samples for the render-versus-SQL ratio
#   BENCH_SKIP_BUILD=1           use the existing binary
#   CARGO_TARGET_DIR=target/bench  where the release build goes
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/bench/out
HELPER=$ROOT/bench/bench.py
PROJECTS=${BENCH_PROJECTS:-5000}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PG_DB=${BENCH_PG_DB:-keel_bench}
DURATION=${BENCH_DURATION:-10s}
SLOW_DURATION=${BENCH_SLOW_DURATION:-30s}
IDLE_WAIT=${BENCH_IDLE_WAIT:-300}
CONNS=${BENCH_CONNECTIONS:-8}
THREADS=${BENCH_THREADS:-1}
RATIO_N=${BENCH_RATIO_N:-20}
PASSWORD=benchpassword1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target/bench}
BIN=$CARGO_TARGET_DIR/release/keel
WRK=(wrk "-t$THREADS" "-c$CONNS" --latency --timeout 60s)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

for tool in curl python3 wrk; do
    command -v "$tool" >/dev/null || die "$tool is required (wrk: apt-get install wrk)"
done

# Only this script's settings reach keel: no KEEL_* from the caller, no keel.toml.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^KEEL_' || true)
NO_CONFIG=$OUT/no-keel.toml

SERVER_PID=
PG_CREATED=
cleanup() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ -n $PG_CREATED && -z ${BENCH_KEEP_DB:-} ]]; then
        psql "$PG_URL/postgres" -Xq -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT"
rm -f "$OUT/results.jsonl" "$OUT/results.md"
RESULTS=$OUT/results.jsonl

if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
    log "building keel (release, CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
    (cd "$ROOT" && cargo build --release -p keel-cli) >&2
fi
[[ -x $BIN ]] || die "no binary at $BIN"

commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$ROOT" status --porcelain -- crates Cargo.toml Cargo.lock 2>/dev/null | grep -q . && echo ' (with uncommitted changes)' || true)
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || echo unknown)
mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo 2>/dev/null || echo unknown)
python3 "$HELPER" meta --out "$RESULTS" "date=$(date -u +%Y-%m-%d)" "commit=$commit" "dirty=$dirty" \
    "cpu=$cpu" "cores=$(nproc)" "mem=$mem" "projects=$PROJECTS" \
    "wrk=${WRK[*]} -d$DURATION (dashboards: -d$SLOW_DURATION)" "command=bench/run.sh"

keel() {
    (cd "$OUT" && KEEL_ADMIN_PASSWORD=$PASSWORD "$BIN" --config "$NO_CONFIG" "${DBARGS[@]}" "$@")
}

wait_ready() {
    local url=$1 deadline=$((SECONDS + 60))
    until curl -fsS -o /dev/null "$url/readyz" 2>/dev/null; do
        kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited; see $2"
        ((SECONDS < deadline)) || die "the server was not ready within 60 s; see $2"
        sleep 0.2
    done
}

# Waits (bounded) until no other process keeps the machine busy.
settle() {
    ((IDLE_WAIT > 0)) || return 0
    python3 "$HELPER" idle --max-wait "$IDLE_WAIT" >/dev/null
}

# run_wrk BACKEND NAME PATH AUTH HEADER DURATION
run_wrk() {
    local backend=$1 name=$2 path=$3 auth=$4 header=$5 duration=$6 url=$BASE$3 file=$DIR/wrk-$2.txt
    local code bytes pg=()
    [[ $backend == postgres ]] && pg=(--postgres)
    read -r code bytes < <(curl -sS -o /dev/null -w '%{http_code} %{size_download}\n' -H "$header" "$url")
    [[ $code == 200 ]] || die "GET $path answered $code (expected 200)"
    for _ in 1 2 3; do curl -sS -o /dev/null -H "$header" "$url"; done   # warm-up
    settle
    python3 "$HELPER" measure --out "$file" --server-pid "$SERVER_PID" "${pg[@]}" -- \
        "${WRK[@]}" "-d$duration" -H "$header" "$url"
    python3 "$HELPER" wrk --out "$RESULTS" "$file" "backend=$backend" "endpoint=GET $path" "auth=$auth" \
        "duration=$duration" "bytes=$(numfmt --to=iec --suffix=B "$bytes" 2>/dev/null || echo "$bytes")" \
        "label=$backend GET $path ($auth)"
}

bench_backend() {
    local backend=$1
    DIR=$OUT/$backend
    rm -rf "$DIR"
    mkdir -p "$DIR"
    local db_url
    case $backend in
    sqlite)
        DBARGS=(--data-dir "$DIR/data")
        ;;
    postgres)
        db_url="$PG_URL/$PG_DB"
        psql "$PG_URL/postgres" -Xq -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB" >/dev/null
        PG_CREATED=1
        DBARGS=(--database-url "$db_url")
        ;;
    esac

    settle
    log "[$backend] keel demo --projects $PROJECTS"
    local t0 t1 records size
    t0=$(date +%s%N)
    local pg=()
    [[ $backend == postgres ]] && pg=(--postgres)
    (cd "$OUT" && KEEL_ADMIN_PASSWORD=$PASSWORD python3 "$HELPER" measure --out "$DIR/demo.log" --server-pid 0 \
        "${pg[@]}" -- "$BIN" --config "$NO_CONFIG" "${DBARGS[@]}" demo --projects "$PROJECTS") ||
        { cat "$DIR/demo.log" >&2; die "keel demo failed"; }
    t1=$(date +%s%N)
    records=$(sed -n 's/.*: \([0-9]*\) records in .*/\1/p' "$DIR/demo.log" | tail -n1)
    if [[ $backend == sqlite ]]; then
        size=$(du -sh "$DIR/data" | cut -f1)B
    else
        size=$(psql "$db_url" -XAtq -c "SELECT pg_size_pretty(pg_database_size(current_database()))")
    fi
    python3 "$HELPER" load --out "$RESULTS" "backend=$backend" "projects=$PROJECTS" "records=$records" \
        "seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1e9}')" "size=$size" \
        "other_cpu_pct=$(cat "$DIR/demo.log.cpu")"
    log "[$backend] $(grep 'records in' "$DIR/demo.log" | tail -n1)"

    local token port cookie
    token=$(keel token create --user admin 2>>"$DIR/demo.log" | tail -n1)
    [[ -n $token ]] || die "keel token create printed nothing"
    port=$(python3 "$HELPER" freeport)
    BASE=http://127.0.0.1:$port
    (cd "$OUT" && exec "$BIN" --config "$NO_CONFIG" "${DBARGS[@]}" serve --bind "127.0.0.1:$port") \
        >"$DIR/server.log" 2>&1 &
    SERVER_PID=$!
    wait_ready "$BASE" "$DIR/server.log"
    log "[$backend] server pid $SERVER_PID ready at $BASE"

    cookie=$(curl -sS -o /dev/null -D - --data-urlencode username=admin --data-urlencode "password=$PASSWORD" \
        --data-urlencode next=/ "$BASE/login" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(keel_session=[^;]*\).*/\1/p')
    [[ -n $cookie ]] || die "sign-in did not return a keel_session cookie"

    local bearer="Authorization: Bearer $token" session="Cookie: $cookie"
    log "[$backend] wrk ${WRK[*]}"
    run_wrk "$backend" healthz /healthz none "Accept: */*" "$DURATION"
    run_wrk "$backend" dashboard-page / session "$session" "$SLOW_DURATION"
    run_wrk "$backend" dashboard-api /api/v1/dashboard token "$bearer" "$SLOW_DURATION"
    run_wrk "$backend" projects '/api/v1/projects?limit=50' token "$bearer" "$DURATION"
    run_wrk "$backend" projects-by-name '/api/v1/projects?limit=50&sort=-name' token "$bearer" "$DURATION"
    run_wrk "$backend" projects-session '/api/v1/projects?limit=50' session "$session" "$DURATION"

    # The ratio step runs against a server that traces every request and SQL statement (JSON log),
    # so the dashboard's statements and their in-server times come from the server itself.
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    port=$(python3 "$HELPER" freeport)
    BASE=http://127.0.0.1:$port
    (cd "$OUT" && KEEL_LOG='warn,sqlx::query=debug,tower_http=debug' KEEL_LOG_FORMAT=json \
        exec "$BIN" --config "$NO_CONFIG" "${DBARGS[@]}" serve --bind "127.0.0.1:$port") \
        >"$DIR/server-trace.out" 2>"$DIR/server-trace.log" &
    SERVER_PID=$!
    wait_ready "$BASE" "$DIR/server-trace.log"
    log "[$backend] render time versus SQL alone ($RATIO_N sequential samples; tracing server pid $SERVER_PID)"
    settle
    local target=(--sqlite "$DIR/data/keel.db")
    [[ $backend == postgres ]] && target=(--postgres "$db_url")
    python3 "$HELPER" ratio --backend "$backend" "${target[@]}" --port "$port" --server-pid "$SERVER_PID" \
        --trace "$DIR/server-trace.log" --cookie "$cookie" --token "$token" --n "$RATIO_N" --out "$RESULTS"

    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

for backend in $BACKENDS; do
    case $backend in
    sqlite) bench_backend sqlite ;;
    postgres)
        if command -v psql >/dev/null && psql "$PG_URL/postgres" -XAtq -c 'SELECT 1' >/dev/null 2>&1; then
            bench_backend postgres
        else
            log "PostgreSQL at $PG_URL is not reachable: skipping it"
        fi
        ;;
    *) die "unknown backend $backend" ;;
    esac
done

python3 "$HELPER" report --results "$RESULTS" --out "$OUT/results.md"
