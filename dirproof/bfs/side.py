"""The breadth-first search over a machine beside the partition: the identity
layer (model/identity/, design.md §7) and the cells layer (model/cells/,
§8). docs/bfs.md, "Beside the partition".

Level by level from the machine's initial state, every enabled action
(the machine's `enabled`: its candidate steps, with a clock tick that
jumps to the next instants where a guard can change its answer), every
property of the machine judged on every new state. A side machine's state
is small and hashable, so the store keeps the states themselves and each
one's parent and action; a counterexample is the chain back to the
initial state, replayed on the machine (`SideExplorer.breaks`) before it
is reported.

The ladder: with a flaw of this layer seeded, the small instance is
searched first (the identity layer: token slot 0 and principal 0 only;
every flaw's scenario lies there, tests/test_bfs_side.py), up to
SMALL_CAP states; its counterexample is a path of the whole machine.
Then the whole machine. A side machine's search takes at most a quarter
of the run's time budget with a flaw of its layer seeded, a twentieth
otherwise (SHARE), so that the partition's search keeps its own.
"""

from __future__ import annotations

import datetime
import time
from typing import Any, Callable, Optional

import attrs

from dirproof import interrupt
from dirproof.counterexample import Counterexample, save
from dirproof.defaults import DEFAULT_SECONDS
from dirproof.model import FLAWS, Config
from dirproof.properties import flawed_layers
from dirproof.results import WITHIN_BOUNDS, PropertyResult
from dirproof.side_explore import SideExplorer

from .ladder import deadline_after

ENGINE = "bfs"
# The share of the run's time budget a side machine's search takes: a
# quarter with a flaw of its own seeded, a twentieth otherwise (0.5 s of the
# default check's 10 s lead), so that on a design whose flaws, if any, lie
# elsewhere the partition's search keeps its time.
SHARE, SHARE_UNFLAWED = 0.25, 0.05
SMALL_CAP = 100_000  # states of the small instance before the whole machine is searched
STORE_CAP = 2_000_000  # states kept in memory (about 0.6 GB for the identity layer: 500,000 took 0.2 GB RSS)

Enabled = Callable[[Any], list]  # state -> [(action, successor)]


@attrs.frozen
class SideMachine:
    """What the search needs of a side machine."""

    explorer: SideExplorer  # initial state, step, properties, replay (`breaks`)
    enabled: Enabled
    steps_text: str  # what the search tries, in words
    small: Optional[Enabled] = None  # the small instance's enabled actions (None: no smaller instance)
    small_text: str = ""


@attrs.define
class Search:
    """One breadth-first search: the store, the first violation of each
    property (the shortest, since level d is done before d + 1), and why it
    stopped."""

    parent: dict[Any, Optional[tuple[Any, Any]]]
    found: dict[str, tuple[Any, str]] = attrs.Factory(dict)  # property -> (state, message)
    depth: int = 0  # every state within this many steps has been judged
    stopped: str = ""  # "", "time", "depth", "states", "found"; "" with no frontier left: exhaustive
    seconds: float = 0.0

    @property
    def exhausted(self) -> bool:
        return not self.stopped


def search(m: SideMachine, cfg: Config, props: tuple, enabled: Enabled, seconds: float,
           depth: Optional[int] = None, cap: int = STORE_CAP,
           stop: Callable[[dict], bool] = lambda found: False,
           progress: Callable[[float, float, str], None] = lambda d, t, s: None) -> Search:
    t0 = time.perf_counter()
    init = m.explorer.initial(cfg)
    out = Search({init: None})
    _judge(m, props, init, out)
    frontier = [init]
    while frontier and not stop(out.found):
        if depth is not None and out.depth >= depth:
            out.stopped = "depth"
            break
        frontier = _level(m, props, enabled, frontier, out, t0 + seconds, cap, stop)
        if out.stopped:
            break
        out.depth += 1
        progress(out.depth, 0, f"{m.explorer.layer}: depth {out.depth}, {len(out.parent)} states")
    if stop(out.found) and not out.stopped:
        out.stopped = "found"
    out.seconds = time.perf_counter() - t0
    return out


def _level(m: SideMachine, props: tuple, enabled: Enabled, frontier: list, out: Search, deadline: float,
           cap: int, stop: Callable[[dict], bool]) -> list:
    """The next level; a violation found in it is at the least depth even if
    the level is cut short (every shallower state has been judged), so a
    seeded flaw's property ends the search at once."""
    nxt: list = []
    for k, s in enumerate(frontier):
        if k % 512 == 0:
            interrupt.check()
            if time.perf_counter() > deadline:
                out.stopped = "time"
                return nxt
        for a, n in enabled(s):
            if n in out.parent:
                continue
            out.parent[n] = (s, a)
            nxt.append(n)
            _judge(m, props, n, out)
            if stop(out.found):
                out.stopped = "found"
                return nxt
        if len(out.parent) >= cap:
            out.stopped = "states"
            return nxt
    return nxt


def _judge(m: SideMachine, props: tuple, state: Any, out: Search) -> None:
    for p in props:
        if p not in out.found:
            msg = m.explorer.properties[p].check(state)
            if msg:
                out.found[p] = (state, msg)


def path_to(out: Search, state: Any) -> tuple:
    steps = []
    link = out.parent[state]
    while link is not None:
        state, action = link
        steps.append(action)
        link = out.parent[state]
    return tuple(reversed(steps))


def run(m: SideMachine, request: Any) -> list[PropertyResult]:
    """One PropertyResult per property of the machine in `request`."""
    cfg = request.config
    props = tuple(p for p in request.properties if p in m.explorer.properties)
    mine = {p for f in cfg.flaws for p in FLAWS[f].caught_by} & set(props)  # (the seeded flaws' of this machine)
    flawed = m.explorer.layer in flawed_layers(cfg.flaws)
    budget = (SHARE if flawed else SHARE_UNFLAWED) * (request.seconds if request.seconds is not None
                                                      else DEFAULT_SECONDS)
    end = time.perf_counter() + deadline_after(budget)()  # (before the run's deadline, if that comes first)
    stop = (lambda found: bool(mine & set(found))) if mine and not request.all_violations else (lambda f: False)
    rungs = ([(m.small, m.small_text, SMALL_CAP)] if mine and m.small is not None else [])
    rungs.append((m.enabled, "", STORE_CAP))
    for i, (enabled, scope, cap) in enumerate(rungs):
        out = search(m, cfg, props, enabled, max(0.0, end - time.perf_counter()), request.depth, cap, stop,
                     request.progress)
        res = [_verdict(m, request, out, p, scope) for p in props]
        if i == len(rungs) - 1 or any(p in mine and r.status == "violated" for p, r in zip(props, res)):
            return res
    raise AssertionError("the last rung returns")


def _verdict(m: SideMachine, request: Any, out: Search, pid: str, scope: str) -> PropertyResult:
    layer, cfg = m.explorer.layer, request.config
    where = m.steps_text + (f"; {scope}" if scope else "")
    if pid in out.found:
        steps = path_to(out, out.found[pid][0])
        again = m.explorer.breaks(cfg, steps, pid) if steps else (0, out.found[pid][1])
        if again is None or again[0] != len(steps):  # never report a path that does not replay
            raise AssertionError(f"bfs: the path to {pid} on the {layer} layer does not break it on replay")
        found = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        path = save(Counterexample(cfg, steps, pid, len(steps), again[1], ENGINE, found), request.out_dir)
        return PropertyResult(pid, "violated", ENGINE, examples=len(out.parent), steps=len(steps),
                              seconds=round(out.seconds, 2), counterexample=str(path),
                              detail=f"{again[1]} (shortest within {where})", length=f"{WITHIN_BOUNDS} ({where})")
    return PropertyResult(pid, "held", ENGINE, examples=len(out.parent), steps=out.depth,
                          seconds=round(out.seconds, 2), detail=_coverage(out, where))


def _coverage(out: Search, where: str) -> str:
    if out.exhausted:
        return (f"exhaustive: {len(out.parent)} states ({where}); every reachable state holds it (stronger than "
                f"exploration, weaker than a proof)")
    why = {"time": "its share of the time budget ran out", "found": "a seeded flaw's property broke",
           "depth": "the depth bound was reached",
           "states": "the cap on states kept in memory was reached"}[out.stopped]
    return f"every state within {out.depth} steps ({where}): {len(out.parent)} states; not exhaustive: {why}"
