"""The Keel Monte Carlo benchmark model in numpy: triangular durations (rounded to whole
minutes), finish-to-start forward pass in topological (index) order, backward pass for the
criticality index, vectorised over iterations in blocks.

Usage: mc_numpy.py <network.json> <iterations> [seed]   -> one JSON line on stdout.
"""

import json
import sys
import time

import numpy as np


def main() -> None:
    path, iterations = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    with open(path) as f:
        net = json.load(f)
    tasks = net["tasks"]
    n = len(tasks)
    o = np.array([t["o"] for t in tasks], dtype=np.float64)
    m = np.array([t["m"] for t in tasks], dtype=np.float64)
    p = np.array([t["p"] for t in tasks], dtype=np.float64)
    preds = [t["preds"] for t in tasks]
    succs = [[] for _ in range(n)]
    for i, ps in enumerate(preds):
        for q in ps:
            succs[q].append(i)
    span = p - o
    c = np.where(span > 0, (m - o) / np.where(span > 0, span, 1), 0.0)
    rng = np.random.default_rng(seed)
    block = 1000
    finishes = []
    crit = np.zeros(n)
    t0 = time.perf_counter()
    done = 0
    while done < iterations:
        k = min(block, iterations - done)
        u = rng.random((n, k))
        cc = c[:, None]
        q = np.where(u < cc, np.sqrt(u * cc), 1.0 - np.sqrt((1.0 - u) * (1.0 - cc)))
        d = np.rint(o[:, None] + span[:, None] * q)
        ef = np.empty((n, k))
        for i in range(n):
            ps = preds[i]
            if ps:
                es = ef[ps[0]] if len(ps) == 1 else ef[ps].max(axis=0)
                ef[i] = es + d[i]
            else:
                ef[i] = d[i]
        fin = ef.max(axis=0)
        ls = np.empty((n, k))
        for i in range(n - 1, -1, -1):
            ss = succs[i]
            if ss:
                lf = ls[ss[0]] if len(ss) == 1 else ls[ss].min(axis=0)
            else:
                lf = fin
            crit[i] += np.count_nonzero(lf - ef[i] <= 0)
            ls[i] = lf - d[i]
        finishes.append(fin)
        done += k
    secs = time.perf_counter() - t0
    fin = np.concatenate(finishes)
    days = np.sort(fin) / net["minutes_per_day"]

    def pct(qq: float) -> float:
        return float(days[max(int(np.ceil(qq * len(days))) - 1, 0)])

    print(json.dumps({
        "impl": "numpy",
        "tasks": n,
        "iterations": iterations,
        "seconds": round(secs, 4),
        "activity_iterations_per_s": round(n * iterations / secs),
        "p50_days": round(pct(0.5), 3),
        "p80_days": round(pct(0.8), 3),
        "tasks_ever_critical": int(np.count_nonzero(crit)),
    }))


if __name__ == "__main__":
    main()
