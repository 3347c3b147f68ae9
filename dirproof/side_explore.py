"""The Hypothesis engine of a machine beside the partition (the identity and
cells layers, docs/architecture.md), written once and parametrised by a
`SideExplorer`: the machine's initial state, step, state class, properties,
situations and how a walk draws its next move.

Each example is a `@given(st.data())` test whose one draw seeds a random
walk of the machine: at each step an enabled action drawn by its step's
weight, with a swarm of step groups left out per example (as
dirproof/explore_run.py does for the partition), and every property of the
machine checked after the step. The first failing walk of each property is
made 1-minimal (no step nor pair of steps can go, as dirproof/polish.py
does) and saved as a counterexample file that `dirproof replay` re-runs.
"""

from __future__ import annotations

import datetime
import random
import time
from typing import Any, Callable, Optional

import attrs
from hypothesis import given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from dirproof import explore_signals as signals
from dirproof.counterexample import Counterexample, save
from dirproof.engines import EngineRequest
from dirproof.explore_run import hypothesis_settings
from dirproof.model import Config
from dirproof.results import PropertyResult

# A walk's next move: (state, rnd) -> (action, successor) or None (none enabled).
Mover = Callable[[Any, random.Random], Optional[tuple[Any, Any]]]


def _as_is(cfg: Config, steps: tuple, prop: str) -> tuple:
    return steps


@attrs.frozen
class SideExplorer:
    """What the shared exploration needs of one side machine."""

    layer: str  # its name in the verdicts' texts ("identity", "cells")
    initial: Callable[[Config], Any]
    step: Callable[[Any, Any], Any]
    state_class: type  # what `step` returns when the step is allowed
    properties: dict  # property id -> an object with .check(state) -> message or ""
    situations: dict  # name -> predicate on a state
    groups: tuple  # the step groups a swarm leaves out
    movers: Callable[[set], Mover]  # the groups left out -> how a walk draws its moves
    max_steps: int
    examples: int  # walks when the request names no number
    polish: Callable[[Config, tuple, str], tuple] = _as_is  # after the 1-minimal cut

    # The machine's entry points (its explore.py binds them to its own names).
    def walk(self, cfg: Config, rnd: random.Random, props: tuple, ex: Exploration) -> None:
        walk(self, cfg, rnd, props, ex)

    def explore(self, cfg: Config, props: tuple, examples: int, seed: Optional[int] = None,
                deadline: Optional[float] = None) -> Exploration:
        return explore(self, cfg, props, examples, seed, deadline)

    def breaks(self, cfg: Config, steps: tuple, prop: str) -> Optional[tuple[int, str]]:
        return breaks(self, cfg, steps, prop)

    def minimal(self, cfg: Config, found: Found) -> Found:
        return minimal(self, cfg, found)

    def run(self, request: EngineRequest) -> list[PropertyResult]:
        return run(self, request)


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


def walk(m: SideExplorer, cfg: Config, rnd: random.Random, props: tuple, ex: Exploration) -> None:
    """One random walk; records the first failure of each property in `ex`."""
    off = {g for g in m.groups if rnd.random() < 0.2}
    move = m.movers(off)
    state, trace = m.initial(cfg), []
    for _ in range(m.max_steps):
        got = move(state, rnd)
        if got is None:
            break
        action, state = got
        trace.append(action)
        ex.steps += 1
        ex.reached |= {k for k, f in m.situations.items() if f(state)}
        for pid in props:
            if pid in ex.found:
                continue
            msg = m.properties[pid].check(state)
            if msg:
                ex.found[pid] = Found(pid, tuple(trace), len(trace), msg)


def explore(m: SideExplorer, cfg: Config, props: tuple, examples: int, seed: Optional[int] = None,
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
        walk(m, cfg, rnd, props, ex)

    test = settings(hypothesis_settings(examples))(example)
    if seed is not None:
        test = hypothesis_seed(seed)(test)
    test()
    ex.seconds = time.perf_counter() - start
    return ex


def breaks(m: SideExplorer, cfg: Config, steps: tuple, prop: str) -> Optional[tuple[int, str]]:
    """(the step after which `prop` first breaks, its message), or None
    (a rejected step ends the replay: that order does not run)."""
    state: Any = m.initial(cfg)
    for i, action in enumerate(steps, 1):
        state = m.step(state, action)
        if not isinstance(state, m.state_class):
            return None
        msg = m.properties[prop].check(state)
        if msg:
            return i, msg
    return None


def minimal(m: SideExplorer, cfg: Config, found: Found) -> Found:
    """`found` with steps removed while the property still breaks, until no
    single step and no pair of steps can go; then the machine's polish."""
    steps = found.steps
    changed = True
    while changed:
        changed = False
        cuts = [(i,) for i in range(len(steps))] + [(i, j) for i in range(len(steps))
                                                     for j in range(i + 1, len(steps))]
        for cut in cuts:
            shorter = tuple(a for k, a in enumerate(steps) if k not in cut)
            got = breaks(m, cfg, shorter, found.property)
            if got is not None:
                steps, changed = shorter[:got[0]], True
                break
    steps = m.polish(cfg, steps, found.property)
    at, msg = breaks(m, cfg, steps, found.property) or (found.at, found.message)
    return Found(found.property, steps, at, msg)


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def run(m: SideExplorer, request: EngineRequest) -> list[PropertyResult]:
    """The engine's verdict on the machine's properties of `request`."""
    props = tuple(p for p in request.properties if p in m.properties)
    deadline = None if not request.seconds else time.perf_counter() + request.seconds
    ex = explore(m, request.config, props, request.examples or m.examples, request.seed, deadline)
    missed = sorted(set(m.situations) - ex.reached)
    reach = (f"{len(m.situations) - len(missed)}/{len(m.situations)} {m.layer} situations reached"
             + (f" (not: {', '.join(missed)})" if missed else ""))
    out = []
    for pid in props:
        if pid in ex.found:
            f = minimal(m, request.config, ex.found[pid])
            cx = Counterexample(request.config, f.steps, pid, f.at, f.message, "hypothesis", _now())
            path = save(cx, request.out_dir)
            out.append(PropertyResult(pid, "violated", "hypothesis", steps=len(f.steps),
                                      seconds=round(ex.seconds, 2), counterexample=str(path), detail=f.message))
        else:
            out.append(PropertyResult(pid, "held", "hypothesis", examples=ex.examples, steps=ex.steps,
                                      seconds=round(ex.seconds, 2),
                                      detail=f"explored {ex.examples} walks of the {m.layer} layer; {reach}"))
    return out
