"""Benchmark of the Hypothesis exploration (figures, never asserted).

For every seeded flaw: the time to the first counterexample, the time to the
shortened one (delta debugging, then breadth-first search over the trace's
own actions, as `dirproof check` does), and its length beside the shortest
length known (the hand-written scenario in tests/scenarios.py, an upper
bound; Z3's bounded search gives exact minima for the replication flaws, see
docs/z3.md). Medians over several seeds. For the safe design: examples and
model steps per second.

    python bench/explore.py [--seeds 3] [--seconds 90] [--flaw ID ...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from scenarios import EXTRA_SCENARIOS, SCENARIOS  # noqa: E402

from dirproof.counterexample import Counterexample  # noqa: E402
from dirproof.explore import explore  # noqa: E402
from dirproof.hypothesis_engine import _shorter  # noqa: E402
from dirproof.model import FLAWS, make_config  # noqa: E402
from dirproof.properties import PROPERTIES  # noqa: E402
from dirproof.replay import minimize  # noqa: E402


def known(flaw: str) -> dict:
    """Property -> length of the shortest hand-written scenario of the flaw."""
    out = {}
    prop, steps, _ = SCENARIOS[flaw]
    out[prop] = len(steps)
    for f, p, steps, *_ in EXTRA_SCENARIOS.values():
        if f == flaw:
            out[p] = min(out.get(p, 99), len(steps))
    return out


def one(flaw: str, seed: int, seconds: float):
    cfg = make_config("entra", flaws=[flaw])
    start = time.perf_counter()
    ex = explore(cfg, tuple(PROPERTIES), seconds=seconds, seed=seed, shrink=False, swarm="modes",
                 stop_when=lambda e: bool(e.violated))
    named = [p for p in FLAWS[flaw].caught_by if p in ex.violated] or list(ex.violated)
    if not named:
        return None
    f = ex.violated[named[0]]
    cx = Counterexample(cfg, tuple(f.failure.steps), named[0], f.failure.at, f.failure.message)
    cx = _shorter(minimize(cx).cx)
    return named[0], f.first_seconds, time.perf_counter() - start, len(cx.steps)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=90.0, help="budget per run")
    ap.add_argument("--flaw", action="append", default=[], help="only these flaws")
    args = ap.parse_args()
    print(f"{'flaw':26} {'property':26} {'first s':>8} {'short s':>8} {'len':>4} {'known':>5} found")
    for flaw in args.flaw or list(FLAWS):
        runs = [one(flaw, seed, args.seconds) for seed in range(1, args.seeds + 1)]
        hits = [r for r in runs if r]
        if not hits:
            print(f"{flaw:26} {'-':26} {'-':>8} {'-':>8} {'-':>4} {'-':>5} 0/{len(runs)}")
            continue
        prop = hits[0][0]
        med = lambda i: statistics.median(r[i] for r in hits)  # noqa: E731
        print(f"{flaw:26} {prop:26} {med(1):8.1f} {med(2):8.1f} {int(med(3)):4d} "
              f"{known(flaw).get(prop, '?'):>5} {len(hits)}/{len(runs)}", flush=True)
    ex = explore(make_config("entra"), seconds=20.0, seed=1)
    print(f"\nsafe design, 20 s: {ex.stats.examples} examples, {ex.stats.steps} steps "
          f"({ex.stats.examples / ex.seconds:.0f} examples/s, {ex.stats.steps / ex.seconds:.0f} steps/s)")


if __name__ == "__main__":
    main()
