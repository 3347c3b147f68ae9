"""Real runs of the PostgreSQL harness, judged by dirproof conform (issue 17).

For the safe configuration: N runs with faults (kill -9 of the primary with
failover and pg_rewind, standbys stopped and resumed), and the violations
found (the claim: none). For each flawed configuration: runs with new seeds
until dirproof finds a violation in the real log (at most --max-runs), and
which property it was. Every log is kept in --logs; a table and a JSON
summary are printed (the JSON also to --json). Measured figures only;
docs/conformance.md quotes a run of this script.

    python bench/postgres.py --safe-runs 10 --max-runs 10 --logs /tmp/pg-bench
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from dirproof.conform.events import read_log
from dirproof.conform.report import judge
from dirproof.pg.cluster import CONFIGS
from dirproof.pg.harness import run_once
from dirproof.pg.servers import PgError
from dirproof.pg.workload import Plan


def one(config: str, seed: int, args, logs: Path) -> dict:
    path = logs / f"{config}-seed{seed}.jsonl"
    out = run_once(config, Plan(ops=args.ops, kills=args.kills, stops=args.stops, seed=seed,
                                stop_for=max(6, args.ops // 4)), path)
    t = time.monotonic()
    v = judge(read_log(path), behaviour=not args.no_behaviour, frontier=args.frontier)
    b = v.behaviour
    return {"config": config, "seed": seed, "log": str(path), "seconds": out.seconds, **out.counts,
            "violated": sorted(f.property for f in v.violated),
            "behaviour": None if b is None else ("ok" if b.ok else "inconclusive" if b.truncated else
                                                 f"not a behaviour at line {b.failed.no}"),
            "judge_seconds": round(time.monotonic() - t, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--safe-runs", type=int, default=10)
    ap.add_argument("--max-runs", type=int, default=10, help="runs per flawed configuration at most")
    ap.add_argument("--ops", type=int, default=60)
    ap.add_argument("--kills", type=int, default=1)
    ap.add_argument("--stops", type=int, default=2)
    ap.add_argument("--frontier", type=int, default=400)
    ap.add_argument("--no-behaviour", action="store_true")
    ap.add_argument("--configs", nargs="*", default=list(CONFIGS))
    ap.add_argument("--logs", type=Path, default=Path("pg-bench-logs"))
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    args.logs.mkdir(parents=True, exist_ok=True)
    rows = []
    errors: dict = {}
    for config in args.configs:
        runs = []
        limit = args.safe_runs if config == "safe" else args.max_runs
        for seed in range(limit):
            try:
                r = one(config, seed, args, args.logs)
            except PgError as exc:  # the harness, not PostgreSQL's verdict: counted apart
                print(json.dumps({"config": config, "seed": seed, "harness_error": str(exc)[:300]}),
                      file=sys.stderr, flush=True)
                errors.setdefault(config, 0)
                errors[config] += 1
                continue
            runs.append(r)
            print(json.dumps(r), file=sys.stderr, flush=True)
            if config != "safe" and r["violated"]:
                break
        found = [r for r in runs if r["violated"]]
        rows.append({"config": config, "mirrors": list(CONFIGS[config].mirrors), "runs": len(runs),
                     "kills": sum(args.kills for _ in runs), "stops": sum(args.stops for _ in runs),
                     "writes": sum(r["writes"] for r in runs), "acked": sum(r["acked"] for r in runs),
                     "reads": sum(r["reads"] for r in runs),
                     "violations": {p: sum(p in r["violated"] for r in runs) for p in
                                    sorted({p for r in runs for p in r["violated"]})},
                     "first_violation_run": (runs.index(found[0]) + 1) if found else None,
                     "first_violation_log": found[0]["log"] if found else None,
                     "behaviour": sorted({str(r["behaviour"]) for r in runs}),
                     "harness_errors": errors.get(config, 0),
                     "median_run_seconds": sorted(r["seconds"] for r in runs)[len(runs) // 2] if runs else None})
    print("| configuration | mirrors | runs | faults (kill -9 / stops) | writes (acked) / reads | "
          "violations found (runs) | runs to the first | behaviour check | harness errors |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        v = ", ".join(f"{p} ({n})" for p, n in r["violations"].items()) or "none"
        print(f"| {r['config']} | {', '.join(r['mirrors']) or '-'} | {r['runs']} | {r['kills']} / {r['stops']} | "
              f"{r['writes']} ({r['acked']}) / {r['reads']} | {v} | {r['first_violation_run'] or '-'} | "
              f"{', '.join(r['behaviour'])} | {r['harness_errors']} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
