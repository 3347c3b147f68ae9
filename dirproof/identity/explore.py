"""The Hypothesis engine for the identity layer (design.md §7).

Each example is a `@given(st.data())` test whose one draw seeds a random
walk of the identity machine (model/identity/next.py): at each step an
enabled action, drawn by its step's weight, with a swarm of step groups
left out per example (as dirproof/explore_run.py does for the partition),
and every identity property checked after the step. The first failing
walk of each property is made 1-minimal (no step nor pair of steps can go) and saved
as a counterexample file that `dirproof replay` re-runs.
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
from dirproof.model.identity import ClockTick, ID_NEXT, ID_SPECS, IdState, id_enabled, id_step, initial_id_state, tick_minutes
from dirproof.model.identity.next import ID_INPUTS, id_domain
from dirproof.properties.identity import IDENTITY_PROPERTIES
from dirproof.results import PropertyResult

TRIES = 8  # random draws of a step and its arguments before listing the enabled ones
MAX_STEPS = 30
# Walks when the request names no number: every identity flaw breaks within
# the first 300 (tests/test_identity.py), at about 9 ms a walk.
IDENTITY_EXAMPLES = 300  # a walk's length: every flaw's shortest counterexample has at most 8 steps
GROUPS = tuple(sorted({s.group for s in ID_NEXT}))
# The situations an exploration must reach, or the safe verdicts say little
# (each is what a property speaks of: properties/subjects.py for the partition).
SITUATIONS = {
    "resource-accepts": lambda s: s.last.present and s.last.by == 0,
    "backup-serves": lambda s: s.last.present and s.last.by == 1,
    "accept-after-revocation": lambda s: s.last.present and s.revoked[s.last.principal]
                                           and s.revoked_at[s.last.principal] <= s.last.at,
    "key-retired": lambda s: not all(s.published),
    "old-session-in-outage": lambda s: not s.primary_up and any(
        t.present and t.cached and s.now - t.iat >= 24 * 60 for t in s.tokens),
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


def _move(state: IdState, rnd: random.Random, specs: list, weights: list) -> Optional[tuple[Any, IdState]]:
    """An enabled action: a step drawn by weight, then its arguments at
    random, a few tries; then the enabled ones of those steps listed."""
    for _ in range(TRIES):
        spec = rnd.choices(specs, weights)[0]
        args = [rnd.choice(tick_minutes(state)) if k in ID_INPUTS else rnd.choice(id_domain(k)) for k in spec.over]
        nxt = id_step(state, spec.action(*args))
        if isinstance(nxt, IdState):
            return spec.action(*args), nxt
    moves = [(a, n) for a, n in id_enabled(state) if ID_SPECS[type(a)] in specs]
    return rnd.choices(moves, [ID_SPECS[type(a)].weight for a, _ in moves])[0] if moves else None


def walk(cfg: Config, rnd: random.Random, props: tuple, ex: Exploration) -> None:
    """One random walk; records the first failure of each property in `ex`."""
    off = {g for g in GROUPS if rnd.random() < 0.2}
    specs = [s for s in ID_NEXT if s.group not in off] or list(ID_NEXT)
    weights = [s.weight for s in specs]
    state, trace = initial_id_state(cfg), []
    for _ in range(MAX_STEPS):
        got = _move(state, rnd, specs, weights)
        if got is None:
            break
        action, state = got
        trace.append(action)
        ex.steps += 1
        ex.reached |= {k for k, f in SITUATIONS.items() if f(state)}
        for pid in props:
            if pid in ex.found:
                continue
            msg = IDENTITY_PROPERTIES[pid].check(state)
            if msg:
                ex.found[pid] = Found(pid, tuple(trace), len(trace), msg)


def explore(cfg: Config, props: tuple, examples: int, seed: Optional[int] = None,
            deadline: Optional[float] = None) -> Exploration:
    """`examples` walks through Hypothesis (its one draw seeds each walk); the
    walks after the first failure, or past the deadline, do nothing (as the
    partition's exploration stops at its first violation)."""
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
    state: Any = initial_id_state(cfg)
    for i, action in enumerate(steps, 1):
        state = id_step(state, action)
        if not isinstance(state, IdState):
            return None
        msg = IDENTITY_PROPERTIES[prop].check(state)
        if msg:
            return i, msg
    return None


def minimal(cfg: Config, found: Found) -> Found:
    """`found` with steps removed while the property still breaks, until no
    single step and no pair of steps can go (as dirproof/polish.py does)."""
    steps = found.steps
    changed = True
    while changed:
        changed = False
        cuts = [(i,) for i in range(len(steps))] + [(i, j) for i in range(len(steps))
                                                     for j in range(i + 1, len(steps))]
        for cut in cuts:
            shorter = tuple(a for k, a in enumerate(steps) if k not in cut)
            got = breaks(cfg, shorter, found.property)
            if got is not None:
                steps, changed = shorter[:got[0]], True
                break
    steps = _joined_ticks(cfg, steps, found.property)
    at, msg = breaks(cfg, steps, found.property) or (found.at, found.message)
    return Found(found.property, steps, at, msg)


def _joined_ticks(cfg: Config, steps: tuple, prop: str) -> tuple:
    """Adjacent clock ticks made one, where the property still breaks."""
    i = 0
    while i + 1 < len(steps):
        a, b = steps[i], steps[i + 1]
        if isinstance(a, ClockTick) and isinstance(b, ClockTick):
            joined = steps[:i] + (ClockTick(a.minutes + b.minutes),) + steps[i + 2:]
            if breaks(cfg, joined, prop) is not None:
                steps = joined
                continue
        i += 1
    return steps


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def run(request: EngineRequest) -> list[PropertyResult]:
    """The engine's verdict on the identity properties of `request`."""
    props = tuple(p for p in request.properties if p in IDENTITY_PROPERTIES)
    deadline = None if not request.seconds else time.perf_counter() + request.seconds
    ex = explore(request.config, props, request.examples or IDENTITY_EXAMPLES, request.seed, deadline)
    missed = sorted(set(SITUATIONS) - ex.reached)
    reach = (f"{len(SITUATIONS) - len(missed)}/{len(SITUATIONS)} identity situations reached"
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
                                      detail=f"explored {ex.examples} walks of the identity layer; {reach}"))
    return out
