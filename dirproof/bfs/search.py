"""The breadth-first search over the model's states (docs/bfs.md).

Level by level from the initial state: every action `model.next.enabled`
gives, every property judged on every new state with the monitors' ghost
carried along (properties/monitors.py, updated by each step's events), the
state kept only if its key (dirproof/bfs/key.py, canonical under the
symmetry group, dirproof/bfs/symmetry.py) is new. The store keeps a 64-bit
fingerprint of each key and its parent's fingerprint (as TLC does; two keys
sharing a fingerprint, odds about n^2 / 2^65 for n states, would hide one),
so a counterexample is rebuilt by replaying the model from the initial
state along the chain of fingerprints (`path_to`).

Since level d is complete before level d + 1 starts, the first violation of
a property is at the least depth: a shortest counterexample within the
bounds. Expansion of a level can go to worker processes
(dirproof/bfs/parallel.py); the store stays here.
"""

from __future__ import annotations

import functools
import os
import resource
import sys
import time
from typing import Any, Callable, Collection, Iterable, Optional

import attrs

from dirproof.model import (ClientWrite, Config, EmergencyFailover, PlannedFailover, ReplacePassive, State, Tick,
                            enabled, initial_state)
from dirproof.model.next import ACTION_TYPES
from dirproof.properties import PROPERTIES
from dirproof.properties.monitors import Ghost, fresh, observe_all

from .bounds import FAULTS, Bounds
from .parallel import Expander
from .symmetry import Group, canonical, group_of

EPOCH_STEPS: tuple[type, ...] = (EmergencyFailover, PlannedFailover, ReplacePassive)  # each starts epoch e + 1

REPORT_SECONDS = 0.5  # how often a level in progress is reported

# state, ghost, writes used, faults used, fingerprint of the node, fingerprint of its canonical key
Node = tuple[State, Ghost, int, int, int, int]


@attrs.frozen
class Finding:
    property: str
    depth: int
    fingerprint: int
    message: str
    beyond_budget: bool


@attrs.define
class Outcome:
    """What a search covered and found."""

    config: Config
    problem: "Problem"
    states: int = 0  # distinct states stored
    depth: int = 0  # levels completed: every state within that many steps was judged
    exhausted: bool = False  # no new state within the bounds: the search is complete
    stopped: str = ""  # why it stopped early ("time", "found", "depth", "states", "memory"), "" when exhausted
    seconds: float = 0.0
    levels: list[int] = attrs.Factory(list)  # states first stored at each depth completed, from depth 0
    found: dict[str, Finding] = attrs.Factory(dict)
    store: "Store" = attrs.Factory(lambda: Store())

    @property
    def parents(self) -> dict[int, int]:
        return self.store.parents


class Store:
    """The fingerprints of the stored nodes with their parents', and per
    canonical state the counters (writes, faults used) it was stored with.

    A node whose state was stored with no more writes and no more faults
    used is dominated: every path on from it is a path on from the stored
    one, at no lesser depth (breadth first), within no wider bounds. So it is
    dropped, and a state reached again only by spending a fault (a crash and
    a recovery) is not stored twice; a state reached again with fewer used
    (deeper) is kept, since it may go where the first could not."""

    def __init__(self) -> None:
        self.parents: dict[int, int] = {}
        self.used: dict[int, list[tuple[int, int]]] = {}

    def dominated(self, key: int, writes: int, faults: int) -> bool:
        return any(w <= writes and f <= faults for w, f in self.used.get(key, ()))

    def add(self, node: Node, parent: int) -> None:
        self.parents[node[4]] = parent
        self.used.setdefault(node[5], []).append((node[2], node[3]))


@attrs.frozen
class Problem:
    """Everything a worker needs to expand nodes (picklable)."""

    bounds: Bounds
    group: Group
    properties: tuple[str, ...]
    over_budget: bool
    kinds: tuple[type, ...] = ACTION_TYPES  # the steps the search takes (a rung of the ladder leaves some out)
    scope: str = ""  # what the configuration and `kinds` leave out, in words ("" : nothing)
    prune: bool = True  # leave untried the steps the bounds would cut (False: try them, for the tests)
    # the days a tick may jump in a state (a rung of the ladder: to a time boundary only); None: any
    ticks: Optional[Callable[[State], Collection[int]]] = None

    def fingerprint(self, state: State, ghost: Ghost, writes: int, faults: int) -> tuple[int, int]:
        """(fingerprint of the node, fingerprint of its canonical key)."""
        k = hash(canonical(state, ghost, self.group))
        return hash((k, writes, faults)), k

    def judge(self, state: State, ghost: Ghost, skip: Iterable[str] = ()) -> list[tuple[str, str]]:
        return [(p, msg) for p in self.properties if p not in skip
                for msg in (PROPERTIES[p].judge(state, ghost),) if msg]

    @functools.cached_property
    def _kinds_left(self) -> dict[tuple[bool, bool, bool], tuple[type, ...]]:
        """The steps worth trying with (writes, faults, epochs) used up or
        not: a write, a fault or a failover (each starts an epoch) beyond its
        bound would only be made and cut (tests/test_bfs.py checks that
        leaving them untried changes no state stored)."""
        def keep(k: type, w: bool, f: bool, e: bool) -> bool:
            return not ((w and k is ClientWrite) or (f and k in FAULTS) or (e and k in EPOCH_STEPS))
        return {(w, f, e): tuple(k for k in self.kinds if not self.prune or keep(k, w, f, e))
                for w in (False, True) for f in (False, True) for e in (False, True)}

    def successors(self, node: Node) -> Iterable[tuple[Any, Node]]:
        """Every (action, successor node) within the bounds and the budget."""
        state, ghost, writes, faults = node[:4]
        b = self.bounds
        kinds = self._kinds_left[(b.writes is not None and writes >= b.writes,
                                  b.faults is not None and faults >= b.faults,
                                  b.epochs is not None and len(state.orchestrator.roles) >= b.epochs)]
        for action, nxt in enabled(state, kinds, () if self.ticks is None else TicksOff(self.ticks(state))):
            dw, df = self.bounds.cost(action)
            w, f = writes + dw, faults + df
            if not self.bounds.admits(nxt, w, f):
                continue
            if nxt.budget.exceeded and not self.over_budget:
                continue  # beyond the fault budget (design.md §2): assumed away, as Z3 does
            g = observe_all(ghost, nxt.history[len(state.history):], nxt)
            yield action, (nxt, g, w, f, *self.fingerprint(nxt, g, w, f))


class TicksOff:
    """The ticks a rung does not take in a state: those to a day not in `days`
    (`model.next.enabled` leaves out the actions `in` its skip)."""

    __slots__ = ("days",)

    def __init__(self, days: Collection[int]) -> None:
        self.days = days

    def __contains__(self, action: object) -> bool:
        return type(action) is Tick and action.days not in self.days


def root(problem: Problem, config: Config) -> Node:
    """The initial state's node."""
    s0 = initial_state(config)
    g0 = observe_all(fresh(config.sessions), s0.history, s0)
    return s0, g0, 0, 0, *problem.fingerprint(s0, g0, 0, 0)


def search(config: Config, bounds: Bounds, properties: tuple[str, ...], *, over_budget: bool = False,
           symmetry: tuple[str, ...] = ("replicas", "regions", "sessions", "objects"),
           seconds: Optional[float] = None, stop_when: Callable[[dict], bool] = lambda found: False,
           progress: Callable[[float, float, str], None] = lambda d, t, label: None,
           workers: int = 1, group: Optional[Group] = None, kinds: tuple[type, ...] = ACTION_TYPES,
           scope: str = "", max_states: Optional[int] = None, prune: bool = True,
           ticks: Optional[Callable[[State], Collection[int]]] = None,
           max_memory: Optional[int] = None) -> Outcome:
    """Search level by level until the bounds are exhausted, `stop_when(found)`
    holds, every property is violated, or `seconds` pass. `group` replaces
    the group `symmetry` names (the tests give a wrong one on purpose);
    `kinds` are the steps taken (all by default), `ticks(state)` the days a
    tick may jump (None: any), and `scope` says in words what the
    configuration, `kinds` and `ticks` leave out; the search stops
    ("states") once it has stored `max_states`, and ("memory") once the
    process has held `max_memory` bytes (by default MEMORY_FRACTION of the
    machine's: stopped and reported, not killed by the system)."""
    if bounds.days == 0:  # every tick would pass the days bound: not even tried (a tenth of the time)
        kinds = tuple(k for k in kinds if k is not Tick)
    problem = Problem(bounds, group or group_of(config, symmetry), properties, over_budget, kinds, scope, prune, ticks)
    out = Outcome(config, problem)
    began = time.perf_counter()
    limits = Limits(None if seconds is None else began + seconds, max_states,
                    memory_limit() if max_memory is None else max_memory)
    first = root(problem, config)
    out.store.add(first, first[4])
    out.states = 1
    _note(out, 0, first, problem.judge(first[0], first[1]))
    frontier = [first]
    out.levels.append(1)
    with Expander(problem, workers) as expander:
        while frontier:
            if bounds.depth is not None and out.depth >= bounds.depth:
                out.stopped = "depth"
                break
            if (properties and len(out.found) == len(properties)) or (out.found and stop_when(out.found)):
                out.stopped = "found"
                break
            frontier, stopped = _level(out, expander, frontier, limits, stop_when,
                                       lambda label: progress(out.depth, bounds.depth or 0, label))
            if stopped:
                out.stopped = stopped
                break
            out.depth += 1
            out.levels.append(len(frontier))
            progress(out.depth, bounds.depth or 0, f"depth {out.depth}: {out.states} states")
        out.exhausted = not frontier and not out.stopped
    out.seconds = time.perf_counter() - began
    return out


@attrs.frozen
class Limits:
    """When a search stops short of its bounds, its verdicts covering only
    the levels it completed."""

    deadline: Optional[float] = None  # a time.perf_counter() value
    states: Optional[int] = None  # distinct states stored
    memory: Optional[int] = None  # bytes of the process's peak resident memory

    def reached(self, out: "Outcome") -> str:
        """Which limit is reached ("time", "states", "memory"), or ""."""
        if self.deadline is not None and time.perf_counter() > self.deadline:
            return "time"
        if self.states is not None and out.states >= self.states:
            return "states"
        if self.memory is not None and peak_memory() >= self.memory:
            return "memory"
        return ""


MEMORY_FRACTION = 0.8  # of the machine's memory: the default limit of a search


def memory_limit() -> Optional[int]:
    """MEMORY_FRACTION of the machine's physical memory in bytes (None where unknown)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * MEMORY_FRACTION)
    except (AttributeError, ValueError, OSError):
        return None


def peak_memory() -> int:
    """The process's peak resident memory in bytes (Linux reports kilobytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _level(out: Outcome, expander: Any, frontier: list[Node], limits: Limits,
           stop_when: Callable[[dict], bool],
           report: Callable[[str], None] = lambda label: None) -> tuple[list[Node], str]:
    """Expand one level: (next frontier, "" when the level was completed, or
    why it stopped: a limit reached (`Limits.reached`), or "found" as soon as `stop_when(found)` holds;
    a violation found then is still at the least depth, every shallower
    level being complete). `report` hears how far the level has gone about
    every REPORT_SECONDS (a deep level of an exhaustive run takes minutes;
    an interrupt is acted on at a report)."""
    nxt: list[Node] = []
    store = out.store
    due = time.perf_counter() + REPORT_SECONDS
    for batch in expander.expand(frontier, frozenset(out.found), store):
        if time.perf_counter() > due:
            report(f"depth {out.depth + 1}: {out.states} states; {expander.expanded}/{len(frontier)} "
                   f"of depth {out.depth} expanded; {peak_memory() / 2**30:.1f} GB")
            due = time.perf_counter() + REPORT_SECONDS
        for child, parent, violations in batch:
            if store.dominated(child[5], child[2], child[3]):
                continue
            store.add(child, parent)
            out.states += 1
            nxt.append(child)
            if violations:
                _note(out, out.depth + 1, child, violations)
                if stop_when(out.found):
                    return nxt, "found"
        reached = limits.reached(out)
        if reached:
            return nxt, reached
    return nxt, ""


def _note(out: Outcome, depth: int, node: Node, violations: list) -> None:
    for prop, msg in violations:
        if prop not in out.found:
            out.found[prop] = Finding(prop, depth, node[4], msg, bool(node[0].budget.exceeded))


def path_to(out: Outcome, fp: int) -> list[Any]:
    """The model actions from the initial state to the stored state `fp`."""
    chain = [fp]
    while out.parents[chain[-1]] != chain[-1]:
        chain.append(out.parents[chain[-1]])
    chain.reverse()
    problem = out.problem
    node = root(problem, out.config)
    actions = []
    for target in chain[1:]:
        for action, child in problem.successors(node):
            if child[4] == target:
                actions.append(action)
                node = child
                break
        else:  # the store and the model disagree: never hide it
            raise AssertionError(f"no step from the stored state leads to fingerprint {target}")
    return actions
