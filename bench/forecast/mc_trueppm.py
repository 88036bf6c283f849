"""The Keel Monte Carlo benchmark network through TruePPM's scheduler (PyPI trueppm-scheduler).

TruePPM cannot run the exact model: it samples only a PERT-Beta fitted by moments (no
triangular), in whole working days, and floors every draw at the task's planned duration. So
each task gets duration = optimistic and the three-point estimate (o, m, p) rounded to whole
days; its percentiles are reported, not compared for agreement. Timing covers monte_carlo()
alone (project construction excluded).

Usage: mc_trueppm.py <network.json> <iterations> [seed]   -> one JSON line on stdout.
"""

import json
import sys
import time
from datetime import date, timedelta

import trueppm_scheduler as tp


def main() -> None:
    path, iterations = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    with open(path) as f:
        net = json.load(f)
    per_day = net["minutes_per_day"]
    tasks, deps = [], []
    for i, t in enumerate(net["tasks"]):
        o, m, p = (max(1, round(t[k] / per_day)) for k in ("o", "m", "p"))
        tasks.append(
            tp.Task(
                id=f"A{i}",
                name=f"Activity {i}",
                duration=timedelta(days=o),
                optimistic_duration=timedelta(days=o),
                most_likely_duration=timedelta(days=max(o, m)),
                pessimistic_duration=timedelta(days=max(o, m, p)),
            )
        )
        for q in t["preds"]:
            deps.append(tp.Dependency(predecessor_id=f"A{q}", successor_id=f"A{i}"))
    start = date(2025, 1, 6)
    project = tp.Project(id="bench", name="bench", start_date=start, tasks=tasks, dependencies=deps)
    t0 = time.perf_counter()
    r = tp.monte_carlo(project, runs=iterations, seed=seed)
    secs = time.perf_counter() - t0
    n = len(tasks)
    print(json.dumps({
        "impl": "trueppm",
        "version": tp.__version__,
        "tasks": n,
        "iterations": iterations,
        "seconds": round(secs, 4),
        "activity_iterations_per_s": round(n * iterations / secs),
        "p50": r.p50.isoformat(),
        "p80": r.p80.isoformat(),
        "model": "PERT-Beta (moments), whole days, floored at optimistic",
    }))


if __name__ == "__main__":
    main()
