"""How fast the model runs: seeded random walks over a profile.

    python bench/model_steps.py [--profile entra|wide|both] [--steps N] [--seed S]
                                [--depth D] [--policy protocol|uniform|both]
                                [--fault-rate P] [--repeat R] [--profile-hot]

Each walk starts from the initial state; at every state the walker tries
every candidate action with `step()` (what an explorer does to list the
enabled ones), then follows one accepted action. After `--depth` moves it
starts a new walk. Two ways to choose the move:

  uniform   any accepted action, uniformly. Faults dominate (a state has a
            dozen partition/crash/disk-loss actions and one or two writes),
            so logs stay short and objects are hardly used.
  protocol  (default) first a kind of step, then an action of that kind;
            a fault (crash, disk or region loss, partition) is chosen only
            with probability --fault-rate. Writes, replication, reads,
            failovers and ticks dominate, so objects are in play: creates,
            updates, soft deletes, restores, purges, recoveries.

Reported per profile and policy, per second of CPU time of this process
(other work on the machine disturbs CPU time less than wall-clock time; the
cpu/wall column shows how much of the wall clock the process got), the best
of --repeat timed runs of the same seeded walks:
  step() calls/s    every call of step() on a candidate action, rejected or not
  accepted/s        the calls that returned a new state
  moves/s           the transitions the walks actually took
  log at end        mean length of the longest log when a walk ends
  traced peak       tracemalloc's peak of Python allocations (a separate,
                    shorter run: tracing slows Python down)
  max RSS           the process's maximum resident set size

`random` is used here, never in model/ (the model itself is deterministic).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import resource
import sys
import time
import tracemalloc

from dirproof.model import (Crash, LoseDisk, LoseRegion, Partition, Rejected, candidates,
                            initial_state, make_config, step)

FAULTS = (Crash, LoseDisk, LoseRegion, Partition)


def choose(rng: random.Random, succ: list, policy: str, fault_rate: float):
    """The next state of the walk, among the accepted (action, state) pairs."""
    if policy == "uniform":
        return rng.choice(succ)[1]
    kinds: dict[type, list] = {}
    for action, nxt in succ:
        kinds.setdefault(type(action), []).append(nxt)
    faults = [k for k in kinds if k in FAULTS]
    others = [k for k in kinds if k not in FAULTS]
    pool = faults if faults and (not others or rng.random() < fault_rate) else others
    return rng.choice(kinds[rng.choice(pool)])


def walk(profile: str, steps: int, seed: int, depth: int, policy: str = "protocol",
         fault_rate: float = 0.1) -> dict:
    """Random walks until `steps` step() calls have been made; counts."""
    rng = random.Random(seed)
    init = initial_state(make_config(profile))
    state, moved = init, 0
    calls = accepted = moves = entries = walks = 0
    t0, c0 = time.perf_counter(), time.process_time()
    while calls < steps:
        succ = []
        for action in candidates(state):
            nxt = step(state, action)
            calls += 1
            if not isinstance(nxt, Rejected):
                succ.append((action, nxt))
        accepted += len(succ)
        if not succ or moved >= depth:
            entries += max(len(r.log) for r in state.replicas)
            walks += 1
            state, moved = init, 0
            continue
        state = choose(rng, succ, policy, fault_rate)
        moved += 1
        moves += 1
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"profile": profile, "policy": policy, "calls": calls, "accepted": accepted,
            "moves": moves, "seconds": cpu, "wall": wall, "log_at_end": entries / max(walks, 1)}


def measure(profile: str, steps: int, seed: int, depth: int, policy: str, fault_rate: float,
            repeat: int = 3) -> dict:
    """The fastest of `repeat` timed runs (without tracemalloc, which slows
    Python down), then one traced run for the peak of Python allocations."""
    runs = [walk(profile, steps, seed, depth, policy, fault_rate) for _ in range(repeat)]
    row = min(runs, key=lambda r: r["seconds"])
    tracemalloc.start()
    walk(profile, max(steps // 10, 1000), seed, depth, policy, fault_rate)
    row["peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return row


def maxrss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes on macOS, KiB on Linux


def table(rows: list[dict]) -> str:
    head = (f"{'profile':8} {'policy':9} {'step() calls':>12} {'calls/s':>9} {'accepted/s':>10} "
            f"{'moves/s':>8} {'log at end':>10} {'traced peak':>11} {'cpu/wall':>8}")
    lines = [head, "-" * len(head)]
    for r in rows:
        s = r["seconds"]
        lines.append(f"{r['profile']:8} {r['policy']:9} {r['calls']:>12,} {r['calls'] / s:>9,.0f} "
                     f"{r['accepted'] / s:>10,.0f} {r['moves'] / s:>8,.0f} "
                     f"{r['log_at_end']:>10.1f} {r['peak_mib']:>7.2f} MiB "
                     f"{r['seconds'] / r['wall']:>8.0%}")
    lines.append(f"process max RSS: {maxrss_mib():.1f} MiB")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--profile", choices=("entra", "wide", "both"), default="both")
    ap.add_argument("--steps", type=int, default=200_000, help="step() calls per profile")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--depth", type=int, default=40, help="moves per walk before restarting")
    ap.add_argument("--policy", choices=("protocol", "uniform", "both"), default="both")
    ap.add_argument("--fault-rate", type=float, default=0.1,
                    help="protocol policy: probability of choosing a fault when one is enabled")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per row; the fastest is shown")
    ap.add_argument("--profile-hot", action="store_true",
                    help="run under cProfile and print the 25 costliest functions instead")
    args = ap.parse_args(argv)
    profiles = ("entra", "wide") if args.profile == "both" else (args.profile,)
    policies = ("protocol", "uniform") if args.policy == "both" else (args.policy,)
    if args.profile_hot:
        prof = cProfile.Profile()
        prof.runcall(walk, profiles[0], args.steps, args.seed, args.depth, policies[0], args.fault_rate)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return 0
    rows = [measure(p, args.steps, args.seed, args.depth, pol, args.fault_rate, args.repeat)
            for p in profiles for pol in policies]
    print(f"seed {args.seed}, walks of {args.depth} moves, fault rate {args.fault_rate}, "
          f"best of {args.repeat}, Python {sys.version.split()[0]}, one process")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
