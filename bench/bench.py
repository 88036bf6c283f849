#!/usr/bin/env python3
"""Helpers for bench/run.sh (standard library only).

Subcommands:
  freeport                      print a free TCP port on 127.0.0.1
  idle                          wait (bounded) until the machine is quiet, print its busy %
  measure --out F -- CMD...     run CMD (wrk) with stdout to F; F.cpu gets the CPU used by others
  wrk --out F FILE K=V...      parse `wrk --latency` output, append one JSON line to --out
  ratio  ...                    dashboard render time versus the dashboard's SQL alone
  report --results F --out F    render the collected JSON lines as Markdown
"""

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import resource
import socket
import sqlite3
import statistics
import subprocess
import sys
import time

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def to_ms(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text.strip())
    if not m:
        raise ValueError(f"unknown wrk duration {text!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def cmd_freeport(_args):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


def parse_wrk(text):
    out = {}
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s*{pct}(?:\.000)?%\s+(\S+)\s*$", text, re.M)
        if m:
            out[f"p{pct}_ms"] = to_ms(m.group(1))
    m = re.search(r"^Requests/sec:\s+([0-9.]+)", text, re.M)
    out["rps"] = float(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in ([0-9.]+\w+)", text)
    out["requests"] = int(m.group(1)) if m else None
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    out["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors:\s+connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    out["socket_errors"] = sum(int(x) for x in m.groups()) if m else 0
    out["timeouts"] = int(m.group(4)) if m else 0
    return out


def cmd_wrk(args):
    with open(args.file) as f:
        text = f.read()
    row = {"kind": "wrk"}
    for kv in args.fields:
        k, _, v = kv.partition("=")
        row[k] = v
    row.update(parse_wrk(text))
    if os.path.exists(args.file + ".cpu"):
        row["other_cpu_pct"] = float(open(args.file + ".cpu").read())
    with open(args.out, "a") as f:
        f.write(json.dumps(row) + "\n")
    print(
        f"  {row.get('label', '?'):<44} {row['rps'] or 0:>9.1f} req/s  "
        f"p50 {row.get('p50_ms', float('nan')):8.2f} ms  p99 {row.get('p99_ms', float('nan')):8.2f} ms"
        + (f"  non-2xx {row['non_2xx']}" if row["non_2xx"] else "")
        + (f"  socket errors {row['socket_errors']}" if row["socket_errors"] else ""),
        file=sys.stderr,
    )


# --- CPU accounting: how much of the machine did something else during a measurement ----------

CLK = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1


def machine_busy_s():
    """(user + nice + system) seconds of all CPUs, and total seconds (irq/softirq left out)."""
    f = open("/proc/stat").readline().split()
    v = [int(x) for x in f[1:9]]
    return (v[0] + v[1] + v[2]) / CLK, sum(v) / CLK


def proc_cpu_s(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return (int(rest[11]) + int(rest[12])) / CLK
    except (OSError, IndexError):
        return None


def postgres_pids():
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/comm") as f:
                    if f.read().strip() == "postgres":
                        out.append(int(d))
            except OSError:
                pass
    return out


class CpuWatch:
    """Machine CPU not used by the server under test, this process, its children or PostgreSQL."""

    def __init__(self, server_pid, with_postgres):
        self.server_pid, self.with_postgres = server_pid, with_postgres

    def _ours(self):
        r = resource.getrusage(resource.RUSAGE_SELF)
        c = resource.getrusage(resource.RUSAGE_CHILDREN)
        ours = r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime
        ours += proc_cpu_s(self.server_pid) or 0.0
        pg = {p: proc_cpu_s(p) or 0.0 for p in postgres_pids()} if self.with_postgres else {}
        return ours, pg

    def start(self):
        self.t0 = time.perf_counter()
        self.busy0, _ = machine_busy_s()
        self.ours0, self.pg0 = self._ours()
        return self

    def stop(self):
        elapsed = time.perf_counter() - self.t0
        busy1, _ = machine_busy_s()
        ours1, pg1 = self._ours()
        ours = ours1 - self.ours0 + sum(v - self.pg0.get(p, 0.0) for p, v in pg1.items())
        other = max(0.0, (busy1 - self.busy0) - ours)
        return 100.0 * other / (elapsed * NCPU)


def cmd_idle(args):
    """Waits until the machine's busy share over a 2 s window is below the threshold (or max-wait
    has passed); prints the last busy %."""
    deadline = time.monotonic() + args.max_wait
    while True:
        b0, t0 = machine_busy_s()
        time.sleep(2)
        b1, t1 = machine_busy_s()
        pct = 100.0 * (b1 - b0) / max(t1 - t0, 1e-9)
        if pct < args.threshold or time.monotonic() >= deadline:
            print(f"{pct:.0f}")
            return
        print(f"  machine {pct:.0f}% busy with other work: waiting for it to calm down", file=sys.stderr)


def cmd_measure(args):
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    watch = CpuWatch(args.server_pid, args.postgres).start()
    with open(args.out, "w") as f:
        rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT).returncode
    other = watch.stop()
    with open(args.out + ".cpu", "w") as f:
        f.write(f"{other:.1f}\n")
    if rc:
        raise SystemExit(rc)


# --- render time versus the SQL alone -------------------------------------------------------------
#
# The server runs with `KEEL_LOG=warn,sqlx::query=debug,tower_http=debug KEEL_LOG_FORMAT=json` for
# this step, so its log holds every request (start and end) and every SQL statement it ran, with
# the statement's text, rows and elapsed time. The dashboard's statements are taken from there (so
# the benchmark follows the code when the SQL changes) and replayed outside Keel.


def parse_ts(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def parse_trace(path):
    """Requests in log order: uri, status, server-side ms, and their statements (sql, ms, rows).
    Requests must be sequential (one at a time)."""
    reqs, cur = [], None
    for line in open(path, errors="replace"):
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            e = json.loads(line)
        except ValueError:
            continue
        target, fields, span = e.get("target", ""), e.get("fields", {}), e.get("span") or {}
        if target == "tower_http::trace::on_request":
            cur = {"uri": span.get("uri"), "t0": parse_ts(e["timestamp"]), "stmts": []}
            reqs.append(cur)
        elif target == "sqlx::query" and cur is not None and span.get("uri") == cur["uri"]:
            cur["stmts"].append(
                (" ".join(fields["db.statement"].split()), fields["elapsed_secs"] * 1e3, fields.get("rows_returned"))
            )
        elif target == "tower_http::trace::on_response" and cur is not None:
            cur["server_ms"] = (parse_ts(e["timestamp"]) - cur["t0"]) * 1e3
            cur["status"] = fields.get("status")
            cur = None
    return [r for r in reqs if "server_ms" in r]


# A placeholder's value, from the text just before it. Statements with any other placeholder
# (the session or token lookup, whose values are secrets' hashes) are not replayed.
PARAM_RULES = [
    (re.compile(r"\borg_id\s*=\s*$"), "org"),
    (re.compile(r"\bperiod_end\s*>=\s*$"), "since"),
    (re.compile(r"\bscore\s*>=\s*$"), "min_score"),
]


def bind_params(sql, values):
    """{n: value} for every $n in sql, or None if one cannot be inferred."""
    out = {}
    for m in re.finditer(r"\$(\d+)", sql):
        key = next((k for pat, k in PARAM_RULES if pat.search(sql[: m.start()])), None)
        if key is None:
            return None
        n = int(m.group(1))
        if out.get(n, values[key]) != values[key]:
            return None
        out[n] = values[key]
    return out


def stmt_name(sql, seen):
    m = re.search(r"\bFROM\s+(\w+)", sql, re.I)
    name = m.group(1) if m else sql.split()[0].lower()
    if " UNION " in sql.upper():
        name += " (union)"
    elif "GROUP BY" in sql.upper():
        name += " (group by)"
    seen[name] = seen.get(name, 0) + 1
    return name if seen[name] == 1 else f"{name} #{seen[name]}"


def time_http(host, port, path, headers, n, warmup):
    """Wall times (ms) of n sequential GETs over one keep-alive connection."""
    conn = http.client.HTTPConnection(host, port, timeout=120)
    times, size = [], 0
    for i in range(warmup + n):
        t0 = time.perf_counter()
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        body = r.read()
        t1 = time.perf_counter()
        if r.status != 200:
            raise SystemExit(f"GET {path} answered {r.status}: {body[:300]!r}")
        size = len(body)
        if i >= warmup:
            times.append((t1 - t0) * 1e3)
    conn.close()
    return times, size


def replay_sqlite(db_path, stmts, n, warmup):
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, isolation_level=None)
    prepared = []
    for name, sql, params in stmts:
        size = max(params) if params else 0
        prepared.append((name, re.sub(r"\$(\d+)", r"?\1", sql), [params[i] for i in range(1, size + 1)]))
    totals, per, rows = [], {name: [] for name, _, _ in stmts}, {}
    for i in range(warmup + n):
        t0 = time.perf_counter()
        con.execute("BEGIN")
        for name, sql, params in prepared:
            q0 = time.perf_counter()
            rows[name] = len(con.execute(sql, params).fetchall())
            if i >= warmup:
                per[name].append((time.perf_counter() - q0) * 1e3)
        con.execute("COMMIT")
        if i >= warmup:
            totals.append((time.perf_counter() - t0) * 1e3)
    con.close()
    return totals, per, rows


def pg_literal(sql, params):
    for i in sorted(params, reverse=True):
        v = params[i]
        sql = sql.replace(f"${i}", str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'")
    return sql


def replay_postgres(url, stmts, n, warmup):
    """One psql session with \\timing (client-observed time per statement, rows fetched by psql
    and discarded); the same read-only snapshot transaction as the server's reads."""
    script = ["\\timing on"]
    for _ in range(warmup + n):
        script.append("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;")
        script += [pg_literal(sql, params) + ";" for _, sql, params in stmts]
        script.append("COMMIT;")
    res = subprocess.run(
        ["psql", url, "-Xq", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null"],
        input="\n".join(script) + "\n", check=True, capture_output=True, text=True,
    )
    times = [float(x) for x in re.findall(r"^Time: ([0-9.]+) ms", res.stdout, re.M)]
    per_iter = len(stmts) + 2
    if len(times) != per_iter * (warmup + n):
        raise SystemExit(f"psql timing: expected {per_iter * (warmup + n)} lines, got {len(times)}")
    totals, per = [], {name: [] for name, _, _ in stmts}
    for i in range(warmup, warmup + n):
        chunk = times[i * per_iter:(i + 1) * per_iter]
        totals.append(sum(chunk))
        for (name, _, _), t in zip(stmts, chunk[1:-1]):
            per[name].append(t)
    rows = {}
    for name, sql, params in stmts:
        out = subprocess.run(["psql", url, "-XAtq", "-c", f"SELECT COUNT(*) FROM ({pg_literal(sql, params)}) q"],
                             check=True, capture_output=True, text=True).stdout
        rows[name] = int(out.strip())
    return totals, per, rows


def org_id(args):
    q = "SELECT id FROM organisations ORDER BY created_at, id LIMIT 1"
    if args.sqlite:
        con = sqlite3.connect(f"file:{args.sqlite}?mode=ro", uri=True)
        (v,) = con.execute(q).fetchone()
        con.close()
        return v
    return subprocess.run(["psql", args.postgres, "-XAtq", "-c", q], check=True, capture_output=True,
                          text=True).stdout.strip()


def med(xs):
    return statistics.median(xs) if xs else None


def cmd_ratio(args):
    watch = CpuWatch(args.server_pid, bool(args.postgres)).start()
    # 1. Sequential requests against the tracing server.
    page_t, page_size = time_http("127.0.0.1", args.port, "/", {"Cookie": args.cookie}, args.n, args.warmup)
    api_t, api_size = time_http("127.0.0.1", args.port, "/api/v1/dashboard",
                                {"Authorization": f"Bearer {args.token}"}, args.n, args.warmup)
    time.sleep(0.5)  # let the log flush
    reqs = parse_trace(args.trace)
    page_r = [r for r in reqs if r["uri"] == "/"][-args.n:]
    api_r = [r for r in reqs if r["uri"] == "/api/v1/dashboard"][-args.n:]
    if len(page_r) < args.n or len(api_r) < args.n:
        raise SystemExit(f"the server trace {args.trace} holds {len(page_r)} page and {len(api_r)} API requests; "
                         f"expected {args.n} each (is the server logging sqlx::query and tower_http at debug?)")

    # 2. The dashboard's statements, as the server ran them, replayed outside Keel.
    today = dt.datetime.now(dt.timezone.utc).date()  # keel_app::today() is the UTC date
    values = {"org": org_id(args), "since": (today - dt.timedelta(weeks=13)).isoformat(),
              "min_score": args.min_score}
    replay, skipped, seen = [], [], {}
    for sql, ms, _rows in api_r[-1]["stmts"]:
        params = bind_params(sql, values) if sql.upper().startswith(("SELECT", "WITH")) else None
        if params is None:
            skipped.append(sql[:90])
        else:
            replay.append((stmt_name(sql, seen), sql, params))
    if not replay:
        raise SystemExit("no dashboard statement could be replayed")
    if args.sqlite:
        totals, per, rows = replay_sqlite(args.sqlite, replay, args.n, args.warmup)
        how = "python sqlite3 on the same file, one read transaction, every row fetched"
    else:
        totals, per, rows = replay_postgres(args.postgres, replay, args.n, args.warmup)
        how = "psql \\timing, one REPEATABLE READ READ ONLY transaction, every row fetched"
    other = watch.stop()

    db = lambda rs: med([sum(ms for _, ms, _ in r["stmts"]) for r in rs])  # noqa: E731
    q_med = med(totals)
    row = {
        "kind": "ratio",
        "backend": args.backend,
        "n": args.n,
        "queries_median_ms": q_med,
        "queries_how": how,
        "per_query_median_ms": {k: med(v) for k, v in per.items()},
        "rows": rows,
        "skipped": skipped,
        "statements_per_request": {"page": len(page_r[-1]["stmts"]), "api": len(api_r[-1]["stmts"])},
        "page": {"client_ms": med(page_t), "server_ms": med([r["server_ms"] for r in page_r]),
                 "db_ms": db(page_r), "bytes": page_size},
        "api": {"client_ms": med(api_t), "server_ms": med([r["server_ms"] for r in api_r]),
                "db_ms": db(api_r), "bytes": api_size},
        "other_cpu_pct": other,
    }
    for k in ("page", "api"):
        row[k]["ratio_external"] = row[k]["client_ms"] / q_med
        row[k]["ratio_in_server"] = row[k]["server_ms"] / row[k]["db_ms"]
    with open(args.out, "a") as f:
        f.write(json.dumps(row) + "\n")
    pg, ap = row["page"], row["api"]
    print(
        f"  render vs SQL ({args.backend}): GET / {pg['client_ms']:.1f} ms, /api/v1/dashboard {ap['client_ms']:.1f} ms,"
        f" SQL replayed alone {q_med:.1f} ms -> x{pg['ratio_external']:.2f} / x{ap['ratio_external']:.2f};"
        f" in-server: {pg['server_ms']:.1f} ms over {pg['db_ms']:.1f} ms of SQL -> x{pg['ratio_in_server']:.2f},"
        f" {ap['server_ms']:.1f} over {ap['db_ms']:.1f} -> x{ap['ratio_in_server']:.2f}",
        file=sys.stderr,
    )


# --- report ---------------------------------------------------------------------------------------


def fmt(x, nd=1):
    return "n/a" if x is None else f"{x:,.{nd}f}"


def cmd_report(args):
    rows = [json.loads(line) for line in open(args.results) if line.strip()]
    meta = next((r for r in rows if r["kind"] == "meta"), {})
    out = []
    out.append(f"## Keel benchmark, {meta.get('date', '?')}\n")
    out.append(
        f"- Machine: {meta.get('cpu', '?')}, {meta.get('cores', '?')} cores, {meta.get('mem', '?')} RAM, "
        f"{meta.get('os', '?')}"
    )
    out.append(f"- Keel: commit `{meta.get('commit', '?')}`{meta.get('dirty', '')}, release build")
    out.append(f"- Data: `keel demo --projects {meta.get('projects', '?')}` (seed 42, 52 weeks of history)")
    out.append(
        f"- Load: `{meta.get('wrk', '?')}` from a second process on loopback, one endpoint at a time; "
        "server and load generator share the machine"
    )
    out.append(f"- Command: `{meta.get('command', 'bench/run.sh')}`\n")

    loads = [r for r in rows if r["kind"] == "load"]
    if loads:
        out.append("### Demo load time\n")
        out.append("| Backend | Projects | Records | Wall time | Database size | Other CPU |")
        out.append("|---|---:|---:|---:|---:|---:|")
        for r in loads:
            other = float(r["other_cpu_pct"]) if r.get("other_cpu_pct") else None
            out.append(
                f"| {r['backend']} | {r['projects']} | {r.get('records', '?')} | {fmt(float(r['seconds']), 1)} s "
                f"| {r.get('size', '?')} | {fmt(other, 0)} % |"
            )
        out.append("")

    wrk = [r for r in rows if r["kind"] == "wrk"]
    if wrk:
        out.append("### Throughput and latency under load\n")
        out.append("| Endpoint | Auth | Backend | Response | Req/s | p50 | p99 | Requests | Errors | Other CPU |")
        out.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in wrk:
            errs = int(r.get("non_2xx", 0)) + int(r.get("socket_errors", 0))
            out.append(
                f"| `{r['endpoint']}` | {r['auth']} | {r['backend']} | {r.get('bytes', '?')} | {fmt(r['rps'])} "
                f"| {fmt(r.get('p50_ms'), 2)} ms | {fmt(r.get('p99_ms'), 2)} ms | {r.get('requests', '?')} "
                f"({r.get('duration', '?')}) | {errs} | {fmt(r.get('other_cpu_pct'), 0)} % |"
            )
        out.append("")
        out.append(
            "Requests: completed in the run (its length); Other CPU: share of the machine used by processes "
            "other than the server, wrk and (for PostgreSQL) the database during the run; above ~10 % the "
            "row was measured on a busy machine.\n"
        )

    ratios = [r for r in rows if r["kind"] == "ratio"]
    if ratios:
        out.append("### Dashboard render time versus its database queries alone\n")
        out.append(
            f"Sequential requests (one at a time, keep-alive, nothing else from the benchmark running), median of "
            f"{ratios[0]['n']} after warm-up. *SQL alone*: the statements the server ran for "
            "`GET /api/v1/dashboard` (taken from its own trace log) replayed against the same database outside "
            "Keel, every row fetched. *Server* and *SQL in server*: from the server's trace (request start to "
            "response, and the sum of its statements' times as sqlx reports them, including the sign-in "
            "lookup).\n"
        )
        out.append(
            "| Backend | Request | Client time | SQL alone | **Render / SQL alone** | Server time | SQL in server "
            "| Server / SQL in server | Other CPU |"
        )
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in ratios:
            for key, label in (("page", "`GET /` (HTML)"), ("api", "`GET /api/v1/dashboard` (JSON)")):
                x = r[key]
                out.append(
                    f"| {r['backend']} | {label} | {fmt(x['client_ms'])} ms | {fmt(r['queries_median_ms'])} ms "
                    f"| **{x['ratio_external']:.2f}** | {fmt(x['server_ms'])} ms | {fmt(x['db_ms'])} ms "
                    f"| {x['ratio_in_server']:.2f} | {fmt(r.get('other_cpu_pct'), 0)} % |"
                )
        out.append("")
        out.append("SQL alone, per statement (median ms, rows returned):\n")
        names = []
        for r in ratios:
            names += [n for n in r["per_query_median_ms"] if n not in names]
        out.append("| Statement | " + " | ".join(r["backend"] for r in ratios) + " |")
        out.append("|---|" + "---:|" * len(ratios))
        for name in names:
            cells = [
                f"{r['per_query_median_ms'][name]:.2f} ms ({r['rows'].get(name, '?')} rows)"
                if name in r["per_query_median_ms"] else "n/a"
                for r in ratios
            ]
            out.append(f"| {name} | " + " | ".join(cells) + " |")
        out.append("")
        for r in ratios:
            out.append(f"- {r['backend']}: SQL alone measured with {r['queries_how']}.")
            if r.get("skipped"):
                out.append(f"  Not replayed (sign-in lookups): {len(r['skipped'])} statement(s).")
        out.append("")
    busy = [r for r in loads + wrk + ratios if float(r.get("other_cpu_pct") or 0) > 10]
    if busy:
        out.append(
            f"**Warning:** {len(busy)} measurement(s) ran while other processes used more than 10 % of the "
            "machine; treat them as pessimistic.\n"
        )
    text = "\n".join(out)
    with open(args.out, "w") as f:
        f.write(text + "\n")
    print(text)


def cmd_meta(args):
    row = {"kind": "meta"}
    for kv in args.fields:
        k, _, v = kv.partition("=")
        row[k] = v
    row.setdefault("os", f"{platform.system()} {platform.release()}")
    row.setdefault("cores", str(os.cpu_count()))
    with open(args.out, "a") as f:
        f.write(json.dumps(row) + "\n")


def cmd_load(args):
    row = {"kind": "load"}
    for kv in args.fields:
        k, _, v = kv.partition("=")
        row[k] = v
    with open(args.out, "a") as f:
        f.write(json.dumps(row) + "\n")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("freeport").set_defaults(f=cmd_freeport)
    p = sub.add_parser("idle")
    p.add_argument("--threshold", type=float, default=15.0, help="busy %% of the whole machine")
    p.add_argument("--max-wait", type=float, default=300.0, help="seconds")
    p.set_defaults(f=cmd_idle)
    p = sub.add_parser("measure")
    p.add_argument("--out", required=True)
    p.add_argument("--server-pid", type=int, required=True)
    p.add_argument("--postgres", action="store_true", help="count PostgreSQL processes as ours")
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    p.set_defaults(f=cmd_measure)
    p = sub.add_parser("wrk")
    p.add_argument("file")
    p.add_argument("fields", nargs="*")
    p.add_argument("--out", required=True)
    p.set_defaults(f=cmd_wrk)
    for name, f in (("meta", cmd_meta), ("load", cmd_load)):
        p = sub.add_parser(name)
        p.add_argument("fields", nargs="*")
        p.add_argument("--out", required=True)
        p.set_defaults(f=f)
    p = sub.add_parser("ratio")
    p.add_argument("--backend", required=True)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--sqlite", help="path of keel.db")
    g.add_argument("--postgres", help="postgres:// URL")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--server-pid", type=int, required=True)
    p.add_argument("--trace", required=True, help="JSON log of the server (see above)")
    p.add_argument("--cookie", required=True, help="keel_session=...")
    p.add_argument("--token", required=True)
    p.add_argument("--n", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--min-score", type=int, default=15, help="AppConfig::high_risk_score")
    p.add_argument("--out", required=True)
    p.set_defaults(f=cmd_ratio)
    p = sub.add_parser("report")
    p.add_argument("--results", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(f=cmd_report)
    args = ap.parse_args()
    args.f(args)


if __name__ == "__main__":
    main()
