"""The Hypothesis engine for the cells layer (design.md §8).

Each example is a `@given(st.data())` test whose one draw seeds a random
walk of the cells machine (model/cells/next.py): at each step an enabled
action drawn by its step's weight, with a swarm of step groups left out per
example (as dirproof/identity/explore.py), and every cells property checked
after the step. The first failing walk of each property is made 1-minimal
(no step nor pair of steps can go) and saved as a counterexample file that
`dirproof replay` re-runs.
"""

from __future__ import annotations

import datetime
import random
import time
from typing import Any, Optional

import attrs
from hypothesis import given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from dirproof import explore_signals as signals
from dirproof.counterexample import Counterexample, save
from dirproof.engines import EngineRequest
from dirproof.explore_run import hypothesis_settings
from dirproof.model import Config
from dirproof.model.cells import CELL_NEXT, CELL_SPECS, CELLS, CellState, cell_enabled, cell_step, initial_cell_state
from dirproof.properties.cells import CELL_PROPERTIES
from dirproof.results import PropertyResult

MAX_STEPS = 20
# Walks when the request names no number: each cells flaw breaks within the
# first few (tests/test_cells.py), at about 10 ms a walk (bench/cells.py).
CELL_EXAMPLES = 200
GROUPS = tuple(sorted({s.group for s in CELL_NEXT}))
# The situations an exploration must reach, or the safe verdicts say little.
SITUATIONS = {
    "fault-beside-written-cell": lambda s: any(s.hit[c] and not s.hit[d] and s.acked[d] > 0
                                               for c in range(CELLS) for d in range(CELLS) if c != d),
    "orchestrator-down": lambda s: not all(s.orch_up),
    "gateway-down": lambda s: not all(s.gw_up),
    "data-lost-in-hit-cell": lambda s: any(s.hit[c] and s.data[c] < s.acked[c] for c in range(CELLS)),
}


@attrs.frozen
class Found:
    property: str
    steps: tuple
    at: int
    message: str


@attrs.define
class Exploration:
    found: dict = attrs.Factory(dict)  # property -> Found
    examples: int = 0
    steps: int = 0
    reached: set = attrs.Factory(set)
    seconds: float = 0.0


def walk(cfg: Config, rnd: random.Random, props: tuple, ex: Exploration) -> None:
    """One random walk; records the first failure of each property in `ex`."""
    off = {g for g in GROUPS if rnd.random() < 0.2}
    state, trace = initial_cell_state(cfg), []
    for _ in range(MAX_STEPS):
        moves = [(a, n) for a, n in cell_enabled(state) if CELL_SPECS[type(a)].group not in off]
        if not moves:
            break
        action, state = rnd.choices(moves, [CELL_SPECS[type(a)].weight for a, _ in moves])[0]
        trace.append(action)
        ex.steps += 1
        ex.reached |= {k for k, f in SITUATIONS.items() if f(state)}
        for pid in props:
            if pid not in ex.found:
                msg = CELL_PROPERTIES[pid].check(state)
                if msg:
                    ex.found[pid] = Found(pid, tuple(trace), len(trace), msg)


def explore(cfg: Config, props: tuple, examples: int, seed: Optional[int] = None,
            deadline: Optional[float] = None) -> Exploration:
    """`examples` walks through Hypothesis (its one draw seeds each walk); the
    walks after the first failure, or past the deadline, do nothing."""
    ex = Exploration()
    start = time.perf_counter()

    @given(st.data())
    def example(data: Any) -> None:
        signals.check()
        rnd = random.Random(data.draw(st.integers(0, 2 ** 64 - 1)))  # drawn always: Hypothesis wants one shape
        if ex.found or (deadline is not None and time.perf_counter() > deadline):
            return
        ex.examples += 1
        walk(cfg, rnd, props, ex)

    test = settings(hypothesis_settings(examples))(example)
    if seed is not None:
        test = hypothesis_seed(seed)(test)
    test()
    ex.seconds = time.perf_counter() - start
    return ex


def breaks(cfg: Config, steps: tuple, prop: str) -> Optional[tuple[int, str]]:
    """(the step after which `prop` first breaks, its message), or None
    (a rejected step ends the replay: that order does not run)."""
    state: Any = initial_cell_state(cfg)
    for i, action in enumerate(steps, 1):
        state = cell_step(state, action)
        if not isinstance(state, CellState):
            return None
        msg = CELL_PROPERTIES[prop].check(state)
        if msg:
            return i, msg
    return None


def minimal(cfg: Config, found: Found) -> Found:
    """`found` with steps removed while the property still breaks, until no
    single step and no pair of steps can go."""
    steps = found.steps
    changed = True
    while changed:
        changed = False
        cuts = [(i,) for i in range(len(steps))] + [(i, j) for i in range(len(steps))
                                                     for j in range(i + 1, len(steps))]
        for cut in cuts:
            got = breaks(cfg, tuple(a for k, a in enumerate(steps) if k not in cut), found.property)
            if got is not None:
                steps, changed = tuple(a for k, a in enumerate(steps) if k not in cut)[:got[0]], True
                break
    at, msg = breaks(cfg, steps, found.property) or (found.at, found.message)
    return Found(found.property, steps, at, msg)


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def run(request: EngineRequest) -> list[PropertyResult]:
    """The engine's verdict on the cells properties of `request`."""
    props = tuple(p for p in request.properties if p in CELL_PROPERTIES)
    deadline = None if not request.seconds else time.perf_counter() + request.seconds
    ex = explore(request.config, props, request.examples or CELL_EXAMPLES, request.seed, deadline)
    missed = sorted(set(SITUATIONS) - ex.reached)
    reach = (f"{len(SITUATIONS) - len(missed)}/{len(SITUATIONS)} cells situations reached"
             + (f" (not: {', '.join(missed)})" if missed else ""))
    out = []
    for pid in props:
        if pid in ex.found:
            f = minimal(request.config, ex.found[pid])
            cx = Counterexample(request.config, f.steps, pid, f.at, f.message, "hypothesis", _now())
            path = save(cx, request.out_dir)
            out.append(PropertyResult(pid, "violated", "hypothesis", steps=len(f.steps),
                                      seconds=round(ex.seconds, 2), counterexample=str(path), detail=f.message))
        else:
            out.append(PropertyResult(pid, "held", "hypothesis", examples=ex.examples, steps=ex.steps,
                                      seconds=round(ex.seconds, 2),
                                      detail=f"explored {ex.examples} walks of the cells layer; {reach}"))
    return out
