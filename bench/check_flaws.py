"""Benchmark of `dirproof check --flaw F` as a user runs it (figures, never asserted).

For every seeded flaw, several runs of the whole process (`dirproof check
--flaw F --json`, default engines and budgets, no seed: each run explores
differently) and their medians:
  * wall: seconds of wall-clock time, start to exit;
  * cpu: seconds of CPU time of the process (user + system), which is what
    the machine's other load does not inflate;
  * the exit status, the violated properties and the length of the reported
    counterexample, with what is known of it (no mark: shortest, Z3
    searched every shorter length; "(in scope)": shortest within the scope
    the breadth-first search names, not settled by Z3; "(at most)": an
    upper bound).

    python bench/check_flaws.py [--runs 3] [--flaw ID ...] [--engine NAME ...]

The figures in docs/user-guide.md ("How long a check takes") come from it.
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

from dirproof.model import FLAWS
from dirproof.results import WITHIN_BOUNDS


def one_run(flaw: str, engines: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        args = [sys.executable, "-c", "from dirproof.cli import main; main()", "check", "--flaw", flaw,
                "--json", "--out", tmp] + [x for e in engines for x in ("--engine", e)]
        proc = subprocess.run(args, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    try:
        results = json.loads(proc.stdout)["results"]
    except (json.JSONDecodeError, KeyError):
        results = []
    broken = [r for r in results if r["status"] == "violated"]
    return {"wall": wall, "cpu": cpu, "exit": proc.returncode,
            "violated": sorted(r["property"] for r in broken),
            "length": min((r["steps"] for r in broken), default=None),
            "shortest": _kind(broken)}


def _kind(broken: list) -> str:
    """"" (shortest: Z3 searched every shorter length), " (in scope)"
    (shortest within the scope the breadth-first search names, not settled
    by Z3) or " (at most)"."""
    lengths = [r["length"] for r in broken]
    if any(t.startswith(WITHIN_BOUNDS) for t in lengths):
        return " (in scope)"
    return "" if any(t.startswith("shortest") for t in lengths) else " (at most)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--flaw", action="append", default=[])
    ap.add_argument("--engine", action="append", default=[])
    args = ap.parse_args()
    print(f"# {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {args.runs} runs per flaw")
    print(f"{'flaw':26} {'wall':>6} {'cpu':>6} {'max':>6}  exit  length      violated")
    walls = []
    for flaw in args.flaw or list(FLAWS):
        runs = [one_run(flaw, args.engine) for _ in range(args.runs)]
        wall = statistics.median(r["wall"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        walls.append(wall)
        lengths = sorted({f"{r['length']}{r['shortest']}" for r in runs})
        caught = sorted({p for r in runs for p in r["violated"]})
        exits = sorted({r["exit"] for r in runs})
        print(f"{flaw:26} {wall:6.1f} {cpu:6.1f} {max(r['wall'] for r in runs):6.1f}  "
              f"{','.join(map(str, exits)):4}  {'/'.join(lengths):10}  {', '.join(caught)}", flush=True)
    print(f"# median over flaws {statistics.median(walls):.1f} s; slowest flaw (median) {max(walls):.1f} s; "
          f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
