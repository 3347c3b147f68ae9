"""Before and after in one sitting for the breadth-first engine's speed:
the same search (entra, writes 3, epochs 3, faults 2, days 0, to a fixed
depth, every property judged) run by several checkouts in turn, A B A B ...,
so the machine's other load falls on all alike; medians over the rounds.

Each checkout is `NAME=DIR`, a directory whose `dirproof` package is put
first on PYTHONPATH (e.g. `git archive` of an older commit unpacked in
/tmp), run with this interpreter:

    python bench/bfs_speed.py --runs 3 --at before=/tmp/bfs_before --at after=. \\
        --case promote-any-secondary:4 --case no-fencing:4

Reported per checkout and case: distinct states (must agree), CPU seconds
(user + system of the child), wall seconds and states per CPU second, with
the load average before and after (figures, never asserted).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = r"""
import json, sys, time
from dirproof.bfs.bounds import Bounds
from dirproof.bfs.search import search
from dirproof.model import make_config
from dirproof.properties import PROPERTIES
flaw, depth = sys.argv[1], int(sys.argv[2])
cfg = make_config("entra", () if flaw == "safe" else (flaw,))
t, w = time.process_time(), time.perf_counter()
out = search(cfg, Bounds(writes=3, epochs=3, faults=2, days=0, depth=depth), tuple(PROPERTIES))
print(json.dumps({"states": out.states, "cpu": time.process_time() - t, "wall": time.perf_counter() - w}))
"""


def one(where: str, flaw: str, depth: int) -> dict:
    env = {**os.environ, "PYTHONPATH": os.path.abspath(where)}
    got = subprocess.run([sys.executable, "-c", CHILD, flaw, str(depth)], env=env, capture_output=True, text=True,
                         check=True)
    return json.loads(got.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--at", action="append", required=True, help="NAME=DIR (repeatable)")
    ap.add_argument("--case", action="append", default=None, help="FLAW:DEPTH (repeatable; flaw 'safe': none)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    ats = [a.split("=", 1) for a in args.at]
    cases = [(c.split(":")[0], int(c.split(":")[1])) for c in (args.case or ["promote-any-secondary:4"])]
    print("load before:", os.getloadavg())
    runs: dict = {}
    for _ in range(args.runs):
        for flaw, depth in cases:
            for name, where in ats:
                runs.setdefault((flaw, depth, name), []).append(one(where, flaw, depth))
    print("load after:", os.getloadavg())
    print("| case | checkout | states | CPU s (median) | wall s (median) | states / CPU s |")
    print("|---|---|---|---|---|---|")
    for (flaw, depth, name), rs in runs.items():
        cpu = statistics.median(r["cpu"] for r in rs)
        wall = statistics.median(r["wall"] for r in rs)
        states = {r["states"] for r in rs}
        print(f"| {flaw} to depth {depth} | {name} | {', '.join(map(str, states))} | {cpu:.2f} | {wall:.2f} | "
              f"{min(states) / cpu:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
