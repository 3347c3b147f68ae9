"""Benchmark of the Hypothesis exploration (figures, never asserted).

For every seeded flaw, medians over several seeds of:
  * first: seconds to the first failing example (a property of FLAWS[flaw].caught_by);
  * shrunk: seconds to the shortened counterexample, as `dirproof check` saves
    it (polish over the collected failures, then the search over the trace's
    own actions, dirproof.shorten);
  * cpu: the process's CPU seconds for that whole run (first failure to the
    shortened counterexample): steadier than wall-clock seconds on a loaded
    machine;
  * len: its length, beside the shortest length known and how it is known:
    `z3` = Z3's bounded search (exact; the replication flaws), `bfs` = a
    breadth-first search over the model restricted to the action kinds (and
    operation types) of the hand-written scenario found nothing shorter (a
    minimum within that restriction), `bfs<` = that search found a shorter
    trace than the scenario, `scn` = the hand-written scenario of
    tests/scenarios.py (an upper bound; the search gave up).
For the safe design: examples and model steps per second, with every
property checked after every step.

    python bench/explore.py [--seeds 5] [--examples 2000] [--flaw ID ...]
                            [--swarm modes|off|kinds] [--backend plain|hypothesis] [--no-bfs]
                            [--safe-seconds 20] [--safe-only]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from scenarios import EXTRA_SCENARIOS, SCENARIOS, Z3_SHORTEST  # noqa: E402

from dirproof.counterexample import Counterexample  # noqa: E402
from dirproof.explore import KIND_OF, explore  # noqa: E402
from dirproof.shorten import shorter  # noqa: E402
from dirproof.model import (FLAWS, ClientWrite, Rejected, candidates, initial_state,  # noqa: E402
                            make_config, step)
from dirproof.properties import PROPERTIES, broken_assumptions  # noqa: E402


def scenario_lengths(flaw: str) -> dict:
    """Property -> length of the shortest hand-written scenario of the flaw."""
    prop, steps, _ = SCENARIOS[flaw]
    out = {prop: (len(steps), steps)}
    for f, p, steps, *_ in EXTRA_SCENARIOS.values():
        if f == flaw and len(steps) < out.get(p, (99,))[0]:
            out[p] = (len(steps), steps)
    return out


def restricted_bfs(flaw: str, prop: str, scenario, max_states: int = 60_000):
    """Shortest trace breaking `prop` (within the fault budget) using only
    the action kinds and operation types of `scenario`; (length, exhausted)."""
    cfg = make_config("entra", flaws=[flaw])
    kinds = {KIND_OF[type(a)] for a in scenario}
    ops = {type(a.op) for a in scenario if isinstance(a, ClientWrite)}
    check = PROPERTIES[prop].check
    frontier = [initial_state(cfg)]
    seen = set(frontier)
    for depth in range(1, len(scenario) + 1):
        nxt = []
        for state in frontier:
            for a in candidates(state):
                if KIND_OF[type(a)] not in kinds or (isinstance(a, ClientWrite) and type(a.op) not in ops):
                    continue
                succ = step(state, a)
                if isinstance(succ, Rejected) or succ in seen or broken_assumptions(succ):
                    continue
                if check(succ):
                    return depth, True
                seen.add(succ)
                nxt.append(succ)
                if len(seen) > max_states:
                    return None, False
        frontier = nxt
    return None, True


def known(flaw: str, prop: str, bfs: bool) -> str:
    if flaw in Z3_SHORTEST:
        return f"{Z3_SHORTEST[flaw]} z3"
    n, steps = scenario_lengths(flaw).get(prop, (None, None))
    if n is None:
        return "?"
    if not bfs:
        return f"{n} scn"
    got, exhausted = restricted_bfs(flaw, prop, steps)
    if got is not None:
        return f"{got} bfs" + ("<" if got < n else "")
    return f"{n} bfs" if exhausted else f"{n} scn"


def one(flaw: str, seed: int, examples: int, swarm: str, backend: str = "plain"):
    cfg = make_config("entra", flaws=[flaw])
    start, cpu = time.perf_counter(), time.process_time()
    ex = explore(cfg, tuple(PROPERTIES), examples=examples, seed=seed, swarm=swarm, backend=backend,
                 stop_when=lambda e: any(p in e.violated for p in FLAWS[flaw].caught_by))
    named = [p for p in FLAWS[flaw].caught_by if p in ex.violated]
    if not named:
        return None
    f = min((ex.violated[p] for p in named), key=lambda f: f.first_seconds)
    cx = shorter(Counterexample(cfg, tuple(f.steps), f.property, f.at, f.message))
    return (f.property, f.first_seconds, time.perf_counter() - start, len(cx.steps),
            time.process_time() - cpu)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--examples", type=int, default=2000, help="example budget per run")
    ap.add_argument("--flaw", action="append", default=[], help="only these flaws")
    ap.add_argument("--swarm", default="modes", choices=("modes", "off", "kinds"))
    ap.add_argument("--backend", default="plain", choices=("plain", "hypothesis"),
                    help="plain: fresh random examples (default); hypothesis: Hypothesis's own "
                         "generation (with mutation of earlier examples)")
    ap.add_argument("--no-bfs", action="store_true", help="skip the restricted search for minima")
    ap.add_argument("--safe-seconds", type=float, default=20.0)
    ap.add_argument("--safe-only", action="store_true", help="only the safe design's throughput")
    args = ap.parse_args()
    print(f"swarm={args.swarm}, backend={args.backend}, seeds 1..{args.seeds}, "
          f"at most {args.examples} examples per run")
    print(f"{'flaw':26} {'property':28} {'first s':>7} {'shrunk s':>8} {'cpu s':>6} {'len':>4} "
          f"{'known':>8} found")
    for flaw in [] if args.safe_only else args.flaw or list(FLAWS):
        runs = [one(flaw, seed, args.examples, args.swarm, args.backend)
                for seed in range(1, args.seeds + 1)]
        hits = [r for r in runs if r]
        if not hits:
            print(f"{flaw:26} {'-':28} {'-':>7} {'-':>8} {'-':>6} {'-':>4} {'-':>8} 0/{len(runs)}",
                  flush=True)
            continue
        prop = statistics.mode(r[0] for r in hits)
        med = lambda i: statistics.median(r[i] for r in hits)  # noqa: E731
        print(f"{flaw:26} {prop:28} {med(1):7.2f} {med(2):8.2f} {med(4):6.2f} {int(med(3)):4d} "
              f"{known(flaw, prop, not args.no_bfs):>8} {len(hits)}/{len(runs)}", flush=True)
    if args.safe_seconds:
        cpu = time.process_time()
        ex = explore(make_config("entra"), seconds=args.safe_seconds, seed=1, swarm=args.swarm,
                     backend=args.backend)
        print(f"\nsafe design, {args.safe_seconds:.0f} s: {ex.stats.examples} examples, "
              f"{ex.stats.steps} steps ({ex.stats.examples / ex.seconds:.1f} examples/s, "
              f"{ex.stats.steps / ex.seconds:.0f} steps/s, "
              f"{ex.stats.steps / (time.process_time() - cpu):.0f} steps per CPU second); "
              f"violations: {sorted(ex.violated) or 'none'}")


if __name__ == "__main__":
    main()
