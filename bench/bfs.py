"""Benchmark of the breadth-first engine (figures, never asserted; docs/bfs.md).

  * per seeded flaw: the whole process `dirproof check --engine bfs --flaw F`
    (interpreter start included), medians over several runs, the length of
    the counterexample beside Z3's shortest (tests/scenarios.py Z3_SHORTEST),
    and the distinct states the search stored;
  * exhaustive: `dirproof bfs` on `entra` with one session, 3 writes, 3
    epochs (faults unbounded, days 0): distinct states, seconds, states per
    second, whether the search was exhausted within its time budget;
  * beside them the figures of TLC (the TLA+ model checker) on a TLA+ spec of
    the same design, measured on this machine (issue 18): per flaw 1.9-3.2 s
    whole process; 806,448 distinct states in 24.7 s (about 32,600/s).

    python bench/bfs.py [--runs 3] [--seconds 120] [--flaw ID ...] [--z3-bounds]
                        [--exhaustive-seconds 600] [--exhaustive-small] [--exhaustive-faults N]
                        [--no-flaws] [--no-exhaustive] [--workers 1]

With --z3-bounds each flaw runs `dirproof bfs` with bounds that just admit
Z3's path (its writes, faults, epochs; 1 write, no fault, 2 epochs for the
flaws Z3_FAST gives only a length for): the best case of the search, where
`check`'s default bounds (3 writes, 2 faults, 3 epochs) are its worst.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from scenarios import CELL_Z3_SHORTEST, ID_Z3_SHORTEST, Z3_RECORDED, Z3_SHORTEST  # noqa: E402

# Z3's shortest length of each flaw: the partition's, the identity layer's and the cells layer's
SHORTEST = {**Z3_SHORTEST, **ID_Z3_SHORTEST, **CELL_Z3_SHORTEST}

TLC_FLAW_SECONDS = {"ack-before-sync": 2.0, "no-fencing": 2.2, "keep-divergent-suffix": 3.2, "ship-unacked": 2.2,
                    "read-ignores-token": 2.1, "promote-any-secondary": 1.9}
TLC_EXHAUSTIVE = (806_448, 24.7)
DIRPROOF = str(Path(sys.executable).with_name("dirproof"))


USER: list[float] = []  # user CPU seconds of each dirproof process, in order


def run_json(args: list[str], seconds: float) -> tuple[float, dict]:
    """(wall seconds, parsed --json output) of one dirproof process; its
    user CPU seconds go to USER (the load of the machine shows between them)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    start = time.perf_counter()
    done = subprocess.run([DIRPROOF, *args, "--json"], capture_output=True, text=True, timeout=seconds + 120)
    wall = time.perf_counter() - start
    USER.append(resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before)
    if done.returncode not in (0, 1, 3):  # 3: the flaw's property held within the budget (no verdict on the side layers)
        raise SystemExit(f"dirproof {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return wall, json.loads(done.stdout)


FAULT_STEPS = {"crash", "lose_disk", "partition", "lose_region"}
FAILOVERS = {"emergency_failover", "planned_failover", "replace_passive"}


def z3_bounds(flaw: str) -> list[str]:
    """`dirproof bfs` bounds that just admit Z3's recorded path (its writes,
    faults and epochs): the search's best case, the default bounds' worst."""
    if flaw not in Z3_RECORDED:
        return ["--writes", "1", "--faults", "0", "--epochs", "2", "--days", "0"]
    names = [n for n, _ in Z3_RECORDED[flaw][1]]
    return ["--writes", str(names.count("client_write")), "--faults", str(sum(n in FAULT_STEPS for n in names)),
            "--epochs", str(1 + sum(n in FAILOVERS for n in names)), "--days", "0"]


def bench_flaw(flaw: str, runs: int, seconds: float, out: Path, tight: bool = False, default: bool = False) -> dict:
    walls, users, length, states = [], [], None, None
    for _ in range(runs):
        args = (["bfs", "--flaw", flaw, *z3_bounds(flaw)] if tight else ["check", "--flaw", flaw] if default
                else ["check", "--engine", "bfs", "--flaw", flaw])
        wall, data = run_json([*args, "--seconds", str(seconds), "--out", str(out)], seconds)
        walls.append(wall)
        users.append(USER[-1])
        broken = [r for r in data["results"] if r["status"] in ("violated", "assumption-broken")]
        length = min((r["steps"] for r in broken), default=None)
        rows = broken or data["results"]
        states = rows[0].get("examples") if rows else None
    return {"flaw": flaw, "median_s": round(statistics.median(walls), 2), "runs": [round(w, 2) for w in walls],
            "user_s": round(statistics.median(users), 2),
            "length": length, "z3": SHORTEST.get(flaw), "states": states, "tlc_s": TLC_FLAW_SECONDS.get(flaw)}


def bench_exhaustive(seconds: float, workers: int, small: bool = False, faults: Optional[int] = None) -> dict:
    bound = ["--unbounded", "faults"] if faults is None else ["--faults", str(faults)]
    with tempfile.TemporaryDirectory() as tmp:
        wall, data = run_json(["bfs", "--profile", "entra", "--sessions", "1", "--writes", "3", "--epochs", "3",
                               *bound, "--days", "0", "--seconds", str(seconds),
                               "--workers", str(workers), "--all", "--out", tmp, *(["--small"] if small else [])],
                              seconds)
    return {"states": data["states"], "seconds": data["seconds"], "wall": round(wall, 2),
            "states_per_second": data["states_per_second"], "exhausted": data["exhausted"],
            "depth": data["depth"], "bounds": data["bounds"], "group": data["group"], "levels": data["levels"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=120.0, help="time budget of each flaw run")
    ap.add_argument("--flaw", action="append", help="flaw id (repeatable; default: those Z3 has a length for, every layer)")
    ap.add_argument("--exhaustive-seconds", type=float, default=600.0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--no-flaws", action="store_true")
    ap.add_argument("--no-exhaustive", action="store_true")
    ap.add_argument("--exhaustive-small", action="store_true",
                    help="the exhaustive run on the ladder's small scope (`dirproof bfs --small`: one object, the core "
                         "steps), nearer a TLA+ spec of the core protocol")
    ap.add_argument("--exhaustive-faults", type=int, default=None,
                    help="bound the faults of the exhaustive run (default: unbounded)")
    ap.add_argument("--z3-bounds", action="store_true",
                    help="run `dirproof bfs` with bounds that just admit Z3's path, not `check`'s defaults")
    ap.add_argument("--default-engines", action="store_true",
                    help="run the default `dirproof check --flaw F` (bfs with its short budget, then the others)")
    a = ap.parse_args()
    print(f"# bench/bfs.py on {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    if not a.no_flaws:
        print(f"{'flaw':26} {'median s':>9} {'user s':>7} {'TLC s':>6} {'length':>6} {'Z3':>3} {'states':>9}  runs")
        with tempfile.TemporaryDirectory() as tmp:
            for flaw in a.flaw or sorted(SHORTEST):
                r = bench_flaw(flaw, a.runs, a.seconds, Path(tmp), a.z3_bounds, a.default_engines)
                print(f"{flaw:26} {r['median_s']:9.2f} {r['user_s']:7.2f} {r['tlc_s'] or '-':>6} "
                      f"{str(r['length']):>6} {r['z3'] or '-':>3} {str(r['states']):>9}  {r['runs']}", flush=True)
        print(f"# load average after: {os.getloadavg()[0]:.1f}")
    if not a.no_exhaustive:
        r = bench_exhaustive(a.exhaustive_seconds, a.workers, a.exhaustive_small, a.exhaustive_faults)
        tlc_states, tlc_s = TLC_EXHAUSTIVE
        scope = " (small scope: 1 object, the core steps)" if a.exhaustive_small else ""
        print(f"exhaustive entra{scope}, 1 session, {r['bounds']} (symmetry group {r['group']}): {r['states']} states in "
              f"{r['seconds']} s ({r['states_per_second']} states/s), depth {r['depth']}, "
              f"{'exhausted' if r['exhausted'] else 'NOT exhausted (time budget)'}; "
              f"TLC: {tlc_states} states in {tlc_s} s ({tlc_states / tlc_s:.0f} states/s)")
        print(f"new states per level, from depth 0: {', '.join(map(str, r['levels']))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
