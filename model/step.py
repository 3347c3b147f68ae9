"""Running actions, and listing the actions enabled in a state.

`step(state, action)` dispatches to the step function of the action's name;
`enabled(state)` lists every action (with its arguments) that would not be
rejected, which is what explorers and the Z3 conformance tests enumerate.
"""

from __future__ import annotations

from typing import Callable, Iterator

import attrs

from . import actions as A
from . import backups, election, faults, replication, sessions
from .objects import (Create, OpContext, PermanentDelete, Purge, RecoverFromBackup, Restore,
                      SoftDelete, Update, view_of)
from .state import SYSTEM, State, believes_ap

STEPS: dict[type, Callable] = {
    A.ClientWrite: replication.client_write,
    A.ReplicateToPassive: replication.replicate_to_passive,
    A.Acknowledge: replication.acknowledge,
    A.ReplicateToSecondary: replication.replicate_to_secondary,
    A.Rejoin: replication.rejoin,
    A.Read: sessions.read,
    A.MoveSession: sessions.move_session,
    A.Crash: faults.crash,
    A.Recover: faults.recover,
    A.LoseDisk: faults.lose_disk,
    A.Partition: faults.partition,
    A.Heal: faults.heal,
    A.LoseRegion: faults.lose_region,
    A.EmergencyFailover: election.emergency_failover,
    A.PlannedFailover: election.planned_failover,
    A.ReplacePassive: election.replace_passive,
    A.Tick: backups.tick,
}


REPLICA_ARGS = ("at", "source", "replica", "a", "b", "new_ap", "new_pp")
_ARGS: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _args(cls) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An action class's field names, and those that name a replica.

    Cached per class: looking fields up on every call was the costliest part
    of `step` (docs/model.md, Performance).
    """
    got = _ARGS.get(cls)
    if got is None:
        names = tuple(f.name for f in attrs.fields(cls))
        got = _ARGS[cls] = (names, tuple(n for n in names if n in REPLICA_ARGS))
    return got


def _replica_args_ok(state: State, action, names: tuple[str, ...] | None = None) -> str | None:
    n = len(state.replicas)
    for name in _args(type(action))[1] if names is None else names:
        v = getattr(action, name)
        if not isinstance(v, int) or not 0 <= v < n:
            return f"no replica {v!r}: replicas are 0..{n - 1}"
    return None


def step(state: State, action) -> State | A.Rejected:
    """Run one action: the new state, or a rejection that says why not."""
    cls = type(action)
    fn = STEPS.get(cls)
    if fn is None:
        return A.Rejected(f"unknown action {action!r}")
    names, replica_names = _ARGS.get(cls) or _args(cls)
    why = _replica_args_ok(state, action, replica_names)
    if why:
        return A.Rejected(why)
    return fn(state, **{name: getattr(action, name) for name in names})


def candidate_ops(state: State, at: int) -> Iterator[tuple[int, object]]:
    """Every (session, op) a client might send, for the view at `at`."""
    cfg = state.config
    rep = state.replicas[at]
    view = view_of(cfg, rep.log, at)
    ctx = OpContext(cfg, state.day, state.snapshots)
    ops = []
    for obj in range(cfg.objects):
        ops += [Create(obj), SoftDelete(obj), Restore(obj), PermanentDelete(obj)]
        ops += [Update(obj, a, v) for a in range(cfg.attributes) for v in range(cfg.values)
                if view[obj] is not None and view[obj].attrs[a] != v]
        ops += [RecoverFromBackup(obj, s.day, s.view[obj].attrs) for s in state.snapshots
                if s.view[obj] is not None]
    for op in ops:
        if op.refuse(view, ctx) is None:
            for s in range(cfg.sessions):
                yield s, op
    for obj in range(cfg.objects):
        if Purge(obj).refuse(view, ctx) is None:
            yield SYSTEM, Purge(obj)


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
    return sorted(days)


def candidates(state: State) -> Iterator:
    """Every action worth trying in `state` (a superset of the enabled ones)."""
    cfg = state.config
    n = len(state.replicas)
    for at in range(n):
        if believes_ap(state, at):
            for s, op in candidate_ops(state, at):
                yield A.ClientWrite(at, s, op)
            yield A.ReplicateToPassive(at)
            yield A.Acknowledge(at)
    for r in range(n):
        yield A.ReplicateToSecondary(r)
        yield A.Rejoin(r)
        yield A.Crash(r)
        yield A.Recover(r)
        yield A.LoseDisk(r)
        yield A.ReplacePassive(r)
        for p in range(n):
            if p != r:
                yield A.EmergencyFailover(r, p)
                if r < p:
                    yield A.Partition(r, p)
                    yield A.Heal(r, p)
    for s in range(cfg.sessions):
        yield A.Read(s)
        for r in range(n):
            yield A.MoveSession(s, r)
    for g in range(len(cfg.regions)):
        yield A.LoseRegion(g)
    yield A.PlannedFailover()
    for d in tick_candidates(state):
        yield A.Tick(d)


def enabled(state: State) -> list[tuple[object, State]]:
    """Every action that is not rejected in `state`, with its successor."""
    out = []
    for action in candidates(state):
        nxt = step(state, action)
        if not isinstance(nxt, A.Rejected):
            out.append((action, nxt))
    return out
