"""The ladder of scopes a design is searched in (docs/bfs.md, "The ladder").

A breadth-first search with `check`'s default bounds (3 writes, 2 faults,
3 epochs, the whole configuration) reaches 4 steps in seconds and 7 in
minutes: the states grow about eightfold a level, with every session,
object and mechanism. Most flaws of the write path, failover and sessions
show with one session, one object, one write and one or two faults. So
with a seeded flaw of those areas, or with none (the safe design, a
variant of its settings or topology, a changed model: the first violation
of any property), `dirproof check --engine bfs` (and the default check's
breadth-first lead) first searches smaller scopes, each
breadth first, and goes on to the next only when a scope shows nothing
within its cap on stored states (2,500, 10,000, 30,000: a cap on states,
not on time, so that which scope finds a flaw does not depend on the load):

  1. the small instance (`small`): one session (two when the token
     hand-off is kept), one object with one attribute and one value, no
     memberships; the core of the protocol only, with the mechanisms the
     seeded flaw needs (OPTIONAL, MECHANISM) or those of a protocol setting
     changed from the design's (KNOB_MECHANISM); writes <= 1, faults <= 1;
  2. the same with writes <= 2;
  3. the same with writes <= 1, faults <= 2 (before rung 2 when a kept
     mechanism is a fault: FAULT_MECHANISMS);
  4. the configuration and bounds asked for, every step.
An object-layer flaw (objects, lifecycle) has four smaller scopes of
its own (OBJECT_RUNGS), with the days asked for and no fault (its
counterexamples need writes and time, not faults): the small instance
with the object layer's core steps only (client writes, replication to
the PP, acknowledgement, ticks that jump to a time boundary; a returning
secondary and the collection of tombstones for the tombstone lifetime,
whose ticks jump to a lifetime's end only), no failover: one value and
writes <= 3 up to 10,000 states, two values up to 2,500, one value up to
30,000; then the small instance's steps with two values and every tick.

A path of a smaller scope is a path of the configuration asked for: the
small instance only leaves sessions and objects idle and values unused
(their actions are actions of the full configuration, which accepts them
in the same states), and a left-out step is a step not taken. Every
counterexample is replayed on the configuration asked for and judged
there at each step (`transfer`); one that does not break the property
there is not reported, and the ladder goes on. A counterexample of a rung
is a shortest one *within that rung's scope*, and its verdict says so;
Z3's shortest-length search (in the default check) then settles whether a
shorter one exists at all.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Collection, Iterator, NamedTuple, Optional

import attrs

from dirproof.model import FLAWS, NEXT, Config, Rejected, State, initial_state, step
from dirproof.model.config import settings_changed
from dirproof.model.next import ACTION_TYPES, FLAW_ONLY, tick_candidates, tombstone_days
from dirproof.properties import PROPERTIES
from dirproof.properties.monitors import watch

from .bounds import Bounds

# Mechanisms whose steps the small scopes leave out unless a seeded flaw
# needs them: what is left is the core of the protocol (writes, replication,
# acknowledgement, rejoin, reads, crash and recovery, failovers) and the
# steps only a flaw enables. Each mechanism multiplies the states (on
# no-fencing's scope images alone by 2.4, session moves by 2).
OPTIONAL: dict[str, tuple[str, ...]] = {
    "replica images": ("take_image", "restore_image"),
    "gateway probes": ("probe", "reroute"),
    "token hand-off": ("hand_token",),
    "tombstone lifetime": ("collect_tombstones", "rebuild"),
    "disk and region loss": ("lose_disk", "lose_region"),
    "partitions": ("partition", "heal"),
    "flushing": ("flush", "crash_unclean"),
    "session moves": ("move_session",),
    "memberships": (),  # not steps: two objects (a user and a group) and their links
    "restarts": (),  # not steps (crash and recovery are the core's): a flaw of restarts is a flaw of faults
}
# The mechanisms a flaw's counterexamples take (a search order only: the
# last rung takes every step; tests/test_bfs_ladder.py checks every flaw's
# scenario against it).
MECHANISM: dict[str, tuple[str, ...]] = {
    "restore-keeps-identity": ("replica images",),
    "gateway-ignores-probes": ("gateway probes",),
    "hand-off-drops-token": ("token hand-off",),
    "read-ignores-foreign-token": ("token hand-off",),
    "rejoin-after-tombstone-lifetime": ("tombstone lifetime",),
    "promote-unsynced-pp": ("disk and region loss",),
    "restart-truncates-to-commit": ("disk and region loss", "restarts"),
    "restart-truncates-inherited": ("restarts",),
    "ack-unflushed-pp": ("flushing", "disk and region loss"),
    "orchestrator-loses-change": ("partitions",),
    "token-lost-on-move": ("session moves",),
    "restore-drops-links": ("memberships",),
}
# The mechanisms a protocol-choice knob's other settings take, for a design
# variant with no seeded flaw ("what if we changed that?"): those of the
# flaw that stands for the same choice. A knob not named here keeps the core.
KNOB_MECHANISM: dict[str, tuple[str, ...]] = {
    "ack_waits_for": MECHANISM["ack-unflushed-pp"],
    "restart_unconfirmed": MECHANISM["restart-truncates-to-commit"],
    "token_home": MECHANISM["token-lost-on-move"] + MECHANISM["hand-off-drops-token"],
    "probe_failures": MECHANISM["gateway-ignores-probes"],
    "tombstone_lifetime_days": MECHANISM["rejoin-after-tombstone-lifetime"],
}
AREAS = ("replication", "sessions", "availability", "objects", "lifecycle")
OBJECT_AREAS = ("objects", "lifecycle")  # their flaws need writes and days, no faults: OBJECT_RUNG
# (writes, faults, states): a cap on states, not on time, so that which rung
# finds a flaw does not depend on the machine's load
SMALL_RUNGS: tuple[tuple[int, int, int], ...] = ((1, 1, 2_500), (2, 1, 10_000), (1, 2, 30_000))
# Mechanisms that are faults (a disk or region lost, a link cut, an unclean
# crash, a restart): a flaw or setting that needs one shows with one write
# and a second fault, so its rungs take two faults before two writes
# (promote-unsynced-pp, ack-unflushed-pp, restart-truncates-*,
# orchestrator-loses-change: found after 1,000-5,800 states there, after
# 10,000 states spent in vain in the two-write rung first).
FAULT_MECHANISMS = frozenset({"disk and region loss", "partitions", "flushing", "restarts"})


class ObjectRung(NamedTuple):
    """An object-layer flaw's smaller scope: no fault, the days asked for."""

    values: int  # two let an attribute differ from its default (restore-defaults)
    core: bool  # the object layer's core steps only (OBJECT_CORE), no failover, ticks to a time boundary only
    states: int  # the cap
    writes: Optional[int]  # None: as asked


def boundaries(state: State) -> set[int]:
    """The ticks that jump to a time boundary (model/next.py tick_candidates: the
    retention period, an expiry, the tombstone lifetime): no single-day tick."""
    return {d for d in tick_candidates(state) if d > 1}


# Few writes first (the 3-write `rejoin-after-tombstone-lifetime` is found
# in 5,861 states with writes <= 3, 124,643 with 5 and every tick), then
# two values with a small cap, one value with a larger (the 7- to 9-step
# flaws), then the small instance's steps and every tick. The time guards
# change their answers at the boundaries ticks jump to; a single-day tick
# stops between them (and takes that day's snapshot), and every day is a
# new state: leaving it out cut restore-drops-links' search from 13,069
# states to 4,517. A flaw of the tombstones' lifetime jumps only to a
# lifetime's end (9,579 states to 5,861).
OBJECT_RUNGS: tuple[ObjectRung, ...] = (
    ObjectRung(1, True, 10_000, 3), ObjectRung(2, True, 2_500, None),
    ObjectRung(1, True, 30_000, None), ObjectRung(2, False, 30_000, None))
# the ticks of the core rungs: a flaw of the lifetime jumps to a lifetime's end only (model/next.py)
OBJECT_TICKS: dict[str, Callable[[State], Collection[int]]] = {"objects": boundaries, "lifecycle": tombstone_days}
OBJECT_CORE: dict[str, tuple[str, ...]] = {
    "objects": ("client_write", "replicate_to_passive", "acknowledge", "tick"),
    # a returning secondary and the collection of tombstones (model/tombstones.py), not
    # the rebuild, its remedy (a rebuilt replica is a fresh copy; it doubled the states)
    "lifecycle": ("client_write", "replicate_to_passive", "acknowledge", "tick", "replicate_to_secondary",
                  "collect_tombstones"),
}


@attrs.frozen
class Rung:
    config: Config
    bounds: Bounds
    kinds: tuple[type, ...]
    scope: str  # what the rung leaves out of the configuration asked for, in words ("" : nothing)
    max_states: Optional[int] = None  # a smaller scope stops here and the ladder goes on
    ticks: Optional[Callable[[State], Collection[int]]] = None  # the days a tick may jump (None: any)


def applies(cfg: Config) -> bool:
    """The ladder helps the partition's flaws, and a design with no seeded
    flaw (the safe design, a variant of its knobs or topology, a changed
    model): its first violation, whatever it breaks (the identity and cells
    layers have their own small instance, dirproof/bfs/side.py)."""
    return all(FLAWS[f].area in AREAS for f in cfg.flaws)


def _objects(cfg: Config) -> bool:
    return any(FLAWS[f].area in OBJECT_AREAS for f in cfg.flaws)


def kept_mechanisms(cfg: Config) -> set[str]:
    """The mechanisms of the seeded flaws and of the knobs set otherwise than the design."""
    flaws = {m for f in cfg.flaws for m in MECHANISM.get(f, ())}
    return flaws | {m for k in settings_changed(cfg) for m in KNOB_MECHANISM.get(k, ())}


def small(cfg: Config, values: Optional[int] = None) -> tuple[Config, tuple[type, ...], str]:
    """The small instance (with `values` values, if given), its steps, and
    what it leaves out in words."""
    keep = kept_mechanisms(cfg)
    sessions = min(cfg.sessions, 2 if "token hand-off" in keep else 1)
    links = "memberships" in keep
    # An object flaw may need an attribute to differ from its default, and a
    # recovery names the whole record: its attributes as asked for.
    default, attributes = (2, cfg.attributes) if _objects(cfg) else (1, 1)
    values = default if values is None else values
    inst = attrs.evolve(cfg, sessions=sessions, objects=min(cfg.objects, 2 if links else 1),
                        attributes=min(cfg.attributes, attributes), values=min(cfg.values, values),
                        memberships=cfg.memberships if links else 0)
    dropped = [m for m in OPTIONAL if m not in keep and OPTIONAL[m]]
    names = {n for m in dropped for n in OPTIONAL[m]}
    kinds = tuple(s.action for s in NEXT if s.name not in names)
    words = [f"{_count(sessions, 'session')}, {_count(inst.objects, 'object')} with "
             f"{_count(inst.attributes, 'attribute')} and {_count(inst.values, 'value')}"
             + ("" if links else ", no memberships")]
    if dropped:
        words.append("without " + ", ".join(dropped))
    return inst, kinds, "; ".join(words)


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def rungs(cfg: Config, bounds: Bounds) -> Iterator[Rung]:
    """The scopes in the order searched; the last is the one asked for."""
    if applies(cfg) and _objects(cfg):
        yield from object_rungs(cfg, bounds)
    elif applies(cfg):
        inst, kinds, words = small(cfg)
        first, writes, faults = SMALL_RUNGS
        for w, f, cap in ((first, faults, writes) if kept_mechanisms(cfg) & FAULT_MECHANISMS else SMALL_RUNGS):
            b = attrs.evolve(bounds, writes=_least(w, bounds.writes), faults=_least(f, bounds.faults))
            yield Rung(inst, b, kinds, words, cap)
    yield Rung(cfg, bounds, ACTION_TYPES, "")


def object_rungs(cfg: Config, bounds: Bounds) -> Iterator[Rung]:
    """An object-layer flaw's smaller scopes (OBJECT_RUNGS)."""
    areas = {FLAWS[f].area for f in cfg.flaws if FLAWS[f].area in OBJECT_CORE}
    core = {n for a in areas for n in OBJECT_CORE[a]}
    ticks = OBJECT_TICKS["objects" if "objects" in areas else "lifecycle"]
    for r in OBJECT_RUNGS:
        some, kinds, said = small(cfg, r.values)
        b = attrs.evolve(bounds, faults=_least(0, bounds.faults),
                         writes=bounds.writes if r.writes is None else _least(r.writes, bounds.writes))
        if r.core:
            # (steps only a flaw enables stay: they are the flaw's own)
            kinds = tuple(sp.action for sp in NEXT if sp.action in kinds and (sp.name in core or sp.name in FLAW_ONLY))
            b = attrs.evolve(b, epochs=_least(1, bounds.epochs))
            said += ("; the object layer's core steps only (" + ", ".join(sorted(core)) + "), no failover; ticks to "
                     + ("a time boundary" if ticks is boundaries else "the end of a tombstone lifetime") + " only")
        yield Rung(some, b, kinds, said, r.states, ticks if r.core else None)


def _least(a: int, b: Optional[int]) -> int:
    return a if b is None else min(a, b)


def transfer(cfg: Config, steps: list[Any], prop: str) -> Optional[tuple[list[Any], State, str]]:
    """The counterexample on the configuration asked for: the steps up to the
    first state that breaks `prop` there, that state and the message; None
    when a step is refused or the property never breaks there."""
    state = initial_state(cfg)
    for i, action in enumerate(steps):
        nxt = step(state, action)
        if isinstance(nxt, Rejected):  # the path is not one of this configuration
            return None
        state = nxt
        msg = PROPERTIES[prop].judge(state, watch(state))
        if msg:
            return steps[:i + 1], state, msg
    return None


def deadline_after(seconds: float) -> Callable[[], float]:
    """Seconds left of the search's budget, which ends a little before the
    run's own deadline (`--seconds`, dirproof/interrupt.py) if that comes
    first: the search then stops on its budget and reports what it covered,
    rather than being cut by the run's deadline with nothing reported."""
    from dirproof import interrupt
    run_left = interrupt.time_left()
    if run_left is not None:
        seconds = min(seconds, max(0.0, run_left - min(1.0, 0.1 * run_left)))
    end = time.perf_counter() + seconds
    return lambda: end - time.perf_counter()

