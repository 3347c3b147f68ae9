"""The next-state relation: every step of the protocol, in one table.

`NEXT` is the one registry of steps. Each row pairs an action class (its
fields are the step's arguments) with the step function that is its only
definition (model/replication.py, election.py, sessions.py, faults.py,
backups.py), the design section it implements, the state fields it may
change, the domain of its arguments, how it reads in a trace, and how often
the exploration draws it. The Python executor (`step`), the candidate
actions (`candidates`), the Z3 disjuncts (dirproof/symbolic), the replay
text, the picture and the exploration weights are all read from here.
"""

from __future__ import annotations

from itertools import product
from operator import attrgetter
from typing import Any, Callable, Container, Iterable, Iterator, Optional

import attrs

from . import actions as A
from . import backups, durable, election, faults, gateway, images, replication, sessions, sync_set, tombstones
from .actions import Rejected, step_name
from .algebra import Refused, holds
from .config import KINDS, Config, expiry_days
from .links import AddMember, RemoveMember, member_pairs
from .deletes import BulkDelete, Expire
from .objects import (LIVE, Create, OpContext, PermanentDelete, Purge, RecoverFromBackup, Restore, SoftDelete,
                      Update, view_of)
from .records import SYSTEM, maker
from .state import State, acting, believes_ap

# The domain of an argument, by kind: "replica", "session", "writer" (a
# session or the system), "region", and the inputs "op" (a directory
# operation) and "days" (a tick's length), which are not enumerated.
INPUTS = ("op", "days")


def domain(kind: str, cfg: Config) -> tuple:
    if kind == "replica":
        return tuple(cfg.replicas)
    if kind == "session":
        return tuple(range(cfg.sessions))
    if kind == "writer":
        return tuple(range(cfg.sessions)) + (SYSTEM,)
    if kind == "region":
        return tuple(range(len(cfg.regions)))
    raise ValueError(f"{kind!r} is an input, not an enumerable domain")


@attrs.frozen
class StepSpec:
    """One step of the protocol (a disjunct of `Next`)."""

    action: type
    run: Callable[..., State]
    section: str
    modifies: tuple[str, ...]  # State fields the step may change; the rest is its frame
    over: tuple[str, ...]  # the domain kind of each argument, in field order
    group: str  # "write", "replication", "session", "fault", "orchestrator", "time"
    weight: int  # relative frequency in the exploration (docs/exploration.md)
    says: str  # how the step reads in a trace; {field} names an argument

    @property
    def name(self) -> str:
        return step_name(self.action)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in attrs.fields(self.action))

    def arguments(self, cfg: Config) -> Iterator[tuple]:
        """Every tuple of enumerable arguments (inputs left out)."""
        kinds = [k for k in self.over if k not in INPUTS]
        yield from product(*(domain(k, cfg) for k in kinds))

    def text(self, action: Any, cfg: Optional[Config] = None) -> str:
        def show(kind: str, v: Any) -> str:
            if kind == "replica" and cfg is not None and isinstance(v, int) and 0 <= v < len(cfg.datacenters):
                return cfg.name_of(v)
            if kind == "region" and cfg is not None and isinstance(v, int) and 0 <= v < len(cfg.regions):
                return cfg.regions[v]
            if kind == "writer":
                return "the system" if v == SYSTEM else f"session {v}"
            if kind == "op":
                return op_text(v)
            return str(v)
        vals = {f: show(k, getattr(action, f)) for f, k in zip(self.fields, self.over)}
        return f"{self.name}: " + self.says.format(**vals)


def op_text(op: Any) -> str:
    parts = ", ".join(f"{f.name}={getattr(op, f.name)}" for f in attrs.fields(type(op)))
    return f"{step_name(op)}({parts})"


R, REP2 = ("replica",), ("replica", "replica")
NEXT: tuple[StepSpec, ...] = (
    # action               step                            design.md              modifies                                 over                    group         weight
    StepSpec(A.ClientWrite, replication.client_write, "§2 write path 1-2", ("replicas",), ("replica", "writer", "op"), "write", 10,
             "{session} writes {op} at {at}"),
    StepSpec(A.ReplicateToPassive, replication.replicate_to_passive, "§2 write path 3", ("replicas", "orchestrator", "budget", "contact"), R, "replication", 8,
             "{source} ships its log to its PP"),
    StepSpec(A.Acknowledge, replication.acknowledge, "§2 write path 4", ("replicas", "sessions", "history"), R, "write", 8,
             "{replica} acknowledges what its PP holds"),
    StepSpec(A.ReplicateToSecondary, replication.replicate_to_secondary, "§2 asynchronous replication", ("replicas", "contact"), R, "replication", 4,
             "{replica} copies from the AP"),
    StepSpec(A.Rejoin, replication.rejoin, "§2 fencing", ("replicas",), R, "replication", 4,
             "{replica} adopts the current epoch"),
    StepSpec(A.Read, sessions.read, "§2 reads and sessions", ("replicas", "sessions", "history"), ("session",), "session", 5,
             "session {session} reads at its replica"),
    StepSpec(A.MoveSession, sessions.move_session, "§2 reads and sessions", ("sessions",), ("session", "replica"), "session", 1,
             "session {session} moves to {replica}"),
    StepSpec(A.Crash, faults.crash, "§2 faults", ("replicas",), R, "fault", 1, "{replica}"),
    StepSpec(A.Recover, faults.recover, "§2 faults", ("replicas", "orchestrator", "sessions", "history"), R, "fault", 4,
             "{replica}"),  # (orchestrator...: knob restart_unconfirmed = "truncate" starts an epoch, faults.drop_unconfirmed)
    StepSpec(A.LoseDisk, faults.lose_disk, "§2 faults", ("replicas", "orchestrator", "budget"), R, "fault", 1, "{replica}"),
    StepSpec(A.Partition, faults.partition, "§2 faults", ("links",), REP2, "fault", 1, "{a} | {b}"),
    StepSpec(A.Heal, faults.heal, "§2 faults", ("links",), REP2, "fault", 4, "{a} | {b}"),
    StepSpec(A.LoseRegion, faults.lose_region, "§2 faults", ("replicas", "orchestrator", "budget"), ("region",), "fault", 1,
             "region {region}"),
    StepSpec(A.EmergencyFailover, election.emergency_failover, "§2 failover (emergency)",
             ("replicas", "orchestrator", "sessions", "history"), REP2, "orchestrator", 6, "promote {new_ap}, new PP {new_pp}"),
    StepSpec(A.PlannedFailover, election.planned_failover, "§2 failover (planned)",
             ("replicas", "orchestrator", "sessions", "budget", "history"), (), "orchestrator", 2, "AP and PP swap"),
    StepSpec(A.ReplacePassive, election.replace_passive, "§2 failover (decided here)",
             ("replicas", "orchestrator", "sessions", "history"), R, "orchestrator", 3, "new PP {new_pp}"),
    StepSpec(A.Tick, backups.tick, "§3 time and backups", ("day", "snapshots", "contact"), ("days",), "time", 2, "{days} day(s) pass"),
    # §6 durability and restart (issue 13, items 1-3)
    StepSpec(A.Flush, durable.flush, "§6 durability", ("replicas",), R, "replication", 3, "{replica} flushes its log"),
    StepSpec(A.CrashUnclean, durable.crash_unclean, "§6 durability", ("replicas", "orchestrator"), R, "fault", 1,
             "{replica} loses what it had not flushed"),
    StepSpec(A.RetryWrite, durable.retry_write, "§6 retries", ("sessions", "history"), ("replica", "session"), "write",
             2, "session {session} retries its write at {at}"),
    # issue 13 items 4-5 (docs/model.md, "Synchronous set and the orchestrator's record", "Replica images")
    StepSpec(A.ShrinkSyncSet, sync_set.shrink_sync_set, "§2 write path 4 (decided here)", ("orchestrator",), (),
             "replication", 2, "the AP drops its lagging PP from its synchronous set"),
    StepSpec(A.AcknowledgeAlone, sync_set.acknowledge_alone, "§2 write path 4 (decided here)",
             ("replicas", "sessions", "history"), (), "write", 6, "the AP acknowledges alone"),
    StepSpec(A.LoseOrchestratorChange, sync_set.lose_orchestrator_change, "§2 roles (assumption)", ("orchestrator",),
             (), "fault", 4, "the orchestrator's store goes back to its previous record"),
    StepSpec(A.TakeImage, images.take_image, "§2 faults (decided here)", ("images",), R, "fault", 1,
             "an image of {replica} is taken"),
    StepSpec(A.RestoreImage, images.restore_image, "§2 faults (decided here)", ("replicas", "orchestrator", "budget"),
             R, "fault", 1, "{replica} is restored from its last image"),
    # issue 14 (causal hand-off) and issue 15 (the gateway), design.md §2 sessions and §8
    StepSpec(A.HandToken, sessions.hand_token, "§2 sessions (causal hand-off)", ("sessions", "history"),
             ("session", "session"), "session", 2, "session {giver} hands its token to session {receiver}"),
    StepSpec(A.Probe, gateway.probe, "§8 gateway health probes", ("missed",), R, "gateway", 2,
             "the gateway probes {replica}"),
    StepSpec(A.Reroute, gateway.reroute, "§8 gateway routing", ("sessions",), ("session",), "gateway", 2,
             "the gateway reroutes session {session}"),
    # issue 14 item 5: tombstone lifetime (model/tombstones.py)
    StepSpec(A.CollectTombstones, tombstones.collect_tombstones, "§3 tombstones (decided here)", ("collected",), (), "time", 2,
             "the AP collects tombstones older than the lifetime"),
    StepSpec(A.Rebuild, tombstones.rebuild, "§2 rebuild (decided here)", ("replicas", "contact"), R, "replication", 1,
             "{replica} is rebuilt from a full copy of the AP's log"),
)
# Steps the safe design refuses in every state: only a seeded flaw enables
# them (issue 13: the AP acknowledging alone, the orchestrator's store losing
# a change). The safe design's exploration never fires them.
FLAW_ONLY: frozenset[str] = frozenset({"shrink_sync_set", "acknowledge_alone", "lose_orchestrator_change",
                                      "retry_write"})  # (§6: the safe design answers no retry from its own log)

SPECS: dict[type, StepSpec] = {s.action: s for s in NEXT}
BY_NAME: dict[str, StepSpec] = {s.name: s for s in NEXT}
ACTION_TYPES: tuple[type, ...] = tuple(SPECS)


# --------------------------------------------------------------------------- the Python executor

# Per action class: (step function, a getter of its arguments in field order,
# names of replica arguments), looked up once (the executor's hot path;
# docs/model.md, Performance).
def _getter(fields: tuple[str, ...]) -> Callable[[Any], tuple]:
    if not fields:
        return lambda action: ()
    if len(fields) == 1:
        one = attrgetter(fields[0])
        return lambda action: (one(action),)
    return attrgetter(*fields)


_RUN: dict[type, tuple[Callable[..., State], Callable[[Any], tuple], tuple[str, ...]]] = {
    s.action: (s.run, _getter(s.fields), tuple(f for f, k in zip(s.fields, s.over) if k == "replica"))
    for s in NEXT}


_REJECTED: Callable[[str], Rejected] = maker(Rejected)  # (the rejection is the commonest outcome)


def step(state: State, action: Any) -> State | Rejected:
    """Run one action: the new state, or a rejection that says why not."""
    got = _RUN.get(type(action))
    if got is None:
        return Rejected(f"unknown action {action!r}")
    run, args, replicas = got
    if replicas:
        n = len(state.replicas)
        for f in replicas:
            v = getattr(action, f)
            if type(v) is not int or not 0 <= v < n:
                return Rejected(f"no replica {v!r}: replicas are 0..{n - 1}")
    try:
        return run(state, *args(action))
    except Refused as refused:
        return _REJECTED(refused.args[0])


# --------------------------------------------------------------------------- candidate actions

# The (writer, op) lists of recent views: they depend on the view (itself
# kept per log by view_of), the day and the snapshots alone, which most steps
# leave as they were. Keyed and checked by identity, as view_of's cache.
_OPS: dict[tuple, tuple[tuple, tuple]] = {}


def candidate_ops(state: State, at: int) -> Iterator[tuple[int, Any]]:
    """Every (writer, op) a client (or the system) might send, for the view at `at`."""
    cfg = state.config
    view = view_of(cfg, state.replicas[at].log, at)
    kept = (cfg, view, state.snapshots)
    key = (id(cfg), id(view), id(state.snapshots), state.day)
    got = _OPS.get(key)
    if got is None or not all(a is b for a, b in zip(got[0], kept)):
        if len(_OPS) > 4096:
            _OPS.clear()
        got = _OPS[key] = (kept, tuple(_candidate_ops(state, view)))
    return iter(got[1])


def _candidate_ops(state: State, view: Any) -> Iterator[tuple[int, Any]]:
    cfg = state.config
    ctx = OpContext(cfg, state.day, state.snapshots)
    ops: list = []
    for obj in range(cfg.objects):
        ops += [Create(obj), SoftDelete(obj), Restore(obj), PermanentDelete(obj)]
        ops += [BulkDelete(obj, kind) for kind in KINDS]  # issue 14: by typed id
        rec = view[obj]
        if rec is not None:
            ops += [Update(obj, a, v) for a in range(cfg.attributes) for v in range(cfg.values)
                    if rec.attrs[a] != v]
        ops += [RecoverFromBackup(obj, s.day, kept.attrs) for s in state.snapshots
                for kept in (s.view[obj],) if kept is not None]
    ops += [op for u, g in member_pairs(cfg) for op in (AddMember(u, g), RemoveMember(u, g))]  # issue 14
    for op in ops:
        if op.refuse(view, ctx) is None:
            for s in range(cfg.sessions):
                yield s, op
    for obj in range(cfg.objects):
        if Purge(obj).refuse(view, ctx) is None:
            yield SYSTEM, Purge(obj)
        if Expire(obj).refuse(view, ctx) is None:  # issue 14
            yield SYSTEM, Expire(obj)


def tick_candidates(state: State) -> list[int]:
    """Tick by one day, or jump to the retention boundaries of soft-deleted
    objects (age retention - 1 and retention), so deep time is reachable."""
    cfg = state.config
    days = {1}
    for r, rep in enumerate(state.replicas):
        for rec in view_of(cfg, rep.log, r):
            if rec is not None and rec.deleted_day is not None:
                for age in (cfg.retention_days - 1, cfg.retention_days):
                    d = rec.deleted_day + age - state.day
                    if d > 1:
                        days.add(d)
    days |= expiry_ticks(state)
    return sorted(days | tombstone_days(state))


def tombstone_days(state: State) -> set[int]:
    """Jumps to the tombstone lifetime: of each replica's last contact and of
    each entry of a permanent delete or purge at the AP (model/tombstones.py)."""
    cfg = state.config
    life = cfg.tombstone_lifetime_days
    due = [tombstones.last_contact(state, r) + life for r in cfg.replicas]
    due += [e.day + life for rep in state.replicas for e in rep.log if isinstance(e.op, (PermanentDelete, Purge, BulkDelete))]
    return {d - state.day for d in due if d - state.day > 1}


def expiry_ticks(state: State) -> set[int]:
    """Jumps to the day a live object's lifetime ends under its kind's
    expiry policy (issue 14), so an expiry is reachable in a few steps."""
    cfg, out = state.config, set()
    for r, rep in enumerate(state.replicas):
        for rec in view_of(cfg, rep.log, r):
            if rec is not None and rec.status == LIVE and expiry_days(cfg, rec.kind) > 0:
                d = rec.born + expiry_days(cfg, rec.kind) - state.day
                if d > 1:
                    out.add(d)
    return out


_LAST_APS: list = [None, []]  # the last state asked and its answer (the state is kept: its id stays its own)


def _aps(state: State) -> list[int]:
    """The replicas that believe they are an AP: asked by four kinds of
    candidates of the same state in a row, so the last answer is kept."""
    last = _LAST_APS
    if last[0] is not state:
        last[1] = [r for r in state.config.replicas if holds(believes_ap(state, r))]
        last[0] = state
    return last[1]


_SPECIAL: dict[type, Callable[[State], Iterable]] = {
    A.ClientWrite: lambda s: (A.ClientWrite(at, w, op) for at in _aps(s) for w, op in candidate_ops(s, at)),
    A.ReplicateToPassive: lambda s: map(A.ReplicateToPassive, _aps(s)),
    A.Acknowledge: lambda s: map(A.Acknowledge, _aps(s)),
    A.Tick: lambda s: map(A.Tick, tick_candidates(s)),
    A.RetryWrite: lambda s: (A.RetryWrite(at, ss) for at in _aps(s) if holds(acting(s, at))
                             for ss in range(s.config.sessions)),
}
# Classes whose actions are fixed by the configuration, but not by the
# domains of their arguments alone.
_BY_CONFIG: dict[type, Callable[[Config], Iterable]] = {
    A.Partition: lambda c: (A.Partition(a, b) for a, b in product(c.replicas, repeat=2) if a < b),
    A.Heal: lambda c: (A.Heal(a, b) for a, b in product(c.replicas, repeat=2) if a < b),
    A.EmergencyFailover: lambda c: (A.EmergencyFailover(a, b) for a, b in product(c.replicas, repeat=2) if a != b),
}


# The actions of a class whose arguments range over the configuration alone
# (a replica, a session, a region), made once per configuration: listing the
# candidates is the explorer's hot path (docs/model.md, Performance). Keyed
# by the configuration's identity (hashing a Config costs more than the
# lookup); the entry keeps the Config, so its id is not reused.
_FIXED: dict[tuple[type, int], tuple[Config, tuple]] = {}


def _fixed(cls: type, cfg: Config) -> tuple:
    got = _FIXED.get((cls, id(cfg)))
    if got is None or got[0] is not cfg:
        if len(_FIXED) > 4096:  # many configurations in one process (tests): start again
            _FIXED.clear()
        by_config = _BY_CONFIG.get(cls)
        made = (tuple(by_config(cfg)) if by_config is not None
                else tuple(cls(*args) for args in SPECS[cls].arguments(cfg)))
        got = _FIXED[(cls, id(cfg))] = (cfg, made)
    return got[1]


# Per configuration: the candidate listing, class by class in NEXT order: a
# fixed tuple of actions, or the function that lists them from the state.
_PLANS: dict[int, tuple[Config, tuple]] = {}


def _plan(cfg: Config) -> tuple:
    got = _PLANS.get(id(cfg))
    if got is None or got[0] is not cfg:
        if len(_PLANS) > 4096:
            _PLANS.clear()
        plan = tuple(_SPECIAL.get(cls) or _fixed(cls, cfg) for cls in ACTION_TYPES)
        got = _PLANS[id(cfg)] = (cfg, plan)
    return got[1]


def candidates(state: State, kinds: Iterable[type] = ACTION_TYPES) -> Iterator:
    """Every action worth trying in `state` (a superset of the enabled ones),
    of the given action classes (all by default), class by class."""
    if kinds is ACTION_TYPES:
        for got in _plan(state.config):
            if type(got) is tuple:
                yield from got
            else:
                yield from got(state)
        return
    for cls in kinds:
        special = _SPECIAL.get(cls)
        if special is not None:
            yield from special(state)
        else:
            yield from _fixed(cls, state.config)


def enabled(state: State, kinds: Iterable[type] = ACTION_TYPES, skip: Container[Any] = ()) -> list[tuple[Any, State]]:
    """Every action (of the given classes: all by default; none of `skip`)
    that is not rejected in `state`, with its successor."""
    out = []
    for action in candidates(state, kinds):
        if skip and action in skip:
            continue
        nxt = step(state, action)
        if not isinstance(nxt, Rejected):
            out.append((action, nxt))
    return out


def allows(state: State, action: Any) -> Any:
    """The step is enabled in `state` (a verdict: a concrete run gives the
    rejection's reason). A symbolic run asks the engine for the step's guard."""
    from .algebra import Fail, _BACKEND
    if _BACKEND is not None:
        return _BACKEND.allows(state, action)  # type: ignore[attr-defined]
    nxt = step(state, action)
    return Fail(nxt.reason) if isinstance(nxt, Rejected) else True


def next_table() -> str:
    """`Next` on one screen: every step with its design section, what it may
    change and how often the exploration draws it (shown in docs/model.md)."""
    rows = [("step", "design.md", "arguments", "modifies", "group", "weight")]
    rows += [(s.name, s.section, ", ".join(s.over) or "-", ", ".join(s.modifies), s.group, str(s.weight))
             for s in NEXT]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)
