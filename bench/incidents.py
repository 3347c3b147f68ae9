"""How long `dirproof check --flaw F` takes to find each incident of the
public catalogue (docs/incidents.md, tests/incident_catalogue.py): figures, never asserted.

For each seeded flaw an expressible incident names, several runs of the
whole process (`dirproof check --flaw F --json`, default engines and budgets,
no seed), one round over every flaw at a time, so a partial run still has a
figure for each; the medians of wall-clock and CPU seconds, the exit
status and the violated properties. With --json FILE the figures are
written after every round; the `SECONDS` of tests/incident_catalogue.py are the
wall-clock medians printed here.

    python bench/incidents.py [--runs 3] [--flaw ID ...] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(_HERE), str(_HERE.parent / "tests")]

from check_flaws import one_run  # noqa: E402
from incident_catalogue import expressible  # noqa: E402


def flaws_of_catalogue() -> list[str]:
    return list(dict.fromkeys(f for i in expressible() for f in i.flaws))


def summary(runs: list[dict]) -> dict:
    return {"wall": statistics.median(r["wall"] for r in runs), "cpu": statistics.median(r["cpu"] for r in runs),
            "max_wall": max(r["wall"] for r in runs), "runs": len(runs),
            "exits": sorted({r["exit"] for r in runs}),
            "violated": sorted({p for r in runs for p in r["violated"]})}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--flaw", action="append", default=[])
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    flaws = args.flaw or flaws_of_catalogue()
    print(f"# {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {args.runs} rounds over "
          f"{len(flaws)} flaws", flush=True)
    runs: dict[str, list[dict]] = {f: [] for f in flaws}
    for k in range(args.runs):
        for f in flaws:
            runs[f].append(one_run(f, []))
            r = runs[f][-1]
            print(f"round {k + 1} {f:34} {r['wall']:6.1f} s wall {r['cpu']:6.1f} s cpu exit {r['exit']} "
                  f"{', '.join(r['violated'])}", flush=True)
        if args.json:
            args.json.write_text(json.dumps({f: summary(rs) for f, rs in runs.items()}, indent=1))
    print(f"{'flaw':34} {'wall':>6} {'cpu':>6} {'max':>6}  exit  violated")
    for f, rs in runs.items():
        s = summary(rs)
        print(f"{f:34} {s['wall']:6.1f} {s['cpu']:6.1f} {s['max_wall']:6.1f}  {','.join(map(str, s['exits'])):4}  "
              f"{', '.join(s['violated'])}")
    print(f"# load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
