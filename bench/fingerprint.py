"""A fingerprint of the model's behaviour, to compare before and after a speed-up.

    python bench/fingerprint.py [--moves N] [--no-properties]

Seeded walks on the `entra`, `small` and `wide` profiles and on `entra` with
each seeded flaw. At every state visited it hashes (SHA-256) the state's
repr, every candidate action with its successor's repr or its rejection's
reason, and, unless --no-properties, every property's verdict (None or
the sentence of what broke); it checks that `enabled()` lists the accepted
candidates in order. A change that is meant to alter no semantics (a cache,
a fast path) must leave the printed hashes unchanged: run it on the code
before and after (each checkout's own Python and tree) and compare.
Nothing is asserted beyond that; nothing here is timed.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys

from dirproof.model import FLAWS, Rejected, candidates, enabled, initial_state, make_config, step
from dirproof.properties import PROPERTIES
from dirproof.properties.monitors import watch


def walk(profile: str, flaws: tuple, seed: int, moves: int, h, props: bool) -> None:
    """One seeded walk of `moves` states, fed into the hash `h`."""
    try:
        cfg = make_config(profile, flaws=flaws)
    except Exception as e:  # a flaw of another layer: its refusal is part of the fingerprint
        h.update(repr(e).encode())
        return
    rng = random.Random(seed)
    init = state = initial_state(cfg)
    for _ in range(moves):
        h.update(repr(state).encode())
        succ = []
        for action in candidates(state):
            nxt = step(state, action)
            h.update(repr(action).encode())
            h.update(repr(nxt).encode())
            if not isinstance(nxt, Rejected):
                succ.append((action, nxt))
        if [a for a, _ in succ] != [a for a, _ in enabled(state)]:
            raise SystemExit(f"enabled() disagrees with step() in {state!r}")
        if props:
            ghost = watch(state)
            for pid, p in PROPERTIES.items():
                h.update(f"{pid}:{p.judge(state, ghost)}".encode())
        if not succ or rng.random() < 0.03:
            state = init
            continue
        kinds: dict[str, list] = {}
        for action, nxt in succ:  # a kind of step first, so that writes and failovers happen
            kinds.setdefault(type(action).__name__, []).append(nxt)
        state = rng.choice(kinds[rng.choice(sorted(kinds))])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--moves", type=int, default=150, help="states per walk (300 on the plain profiles)")
    ap.add_argument("--no-properties", action="store_true", help="leave the property verdicts out")
    a = ap.parse_args(argv)
    h = hashlib.sha256()
    for profile in ("entra", "small", "wide"):
        walk(profile, (), 1, a.moves * 2, h, not a.no_properties)
        print(f"{profile:8} {h.hexdigest()[:16]}", flush=True)
    for flaw in sorted(FLAWS):
        walk("entra", (flaw,), 2, a.moves, h, not a.no_properties)
    print(f"all      {h.hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
