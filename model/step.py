"""Running actions, and listing the actions enabled in a state.

`step(state, action)` dispatches to the step function of the action's name;
`enabled(state)` lists every action (with its arguments) that would not be
rejected, which is what explorers and the Z3 conformance tests enumerate.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

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


def _aps(state: State) -> list[int]:
    return [at for at in range(len(state.replicas)) if believes_ap(state, at)]


def _pairs(state: State, ordered: bool) -> Iterator[tuple[int, int]]:
    n = len(state.replicas)
    for r in range(n):
        for p in range(n):
            if p != r and (ordered or r < p):
                yield r, p


_EACH_REPLICA = (A.ReplicateToSecondary, A.Rejoin, A.Crash, A.Recover, A.LoseDisk, A.ReplacePassive)

# Candidate actions of each action class, in model order: a superset of the
# enabled ones (step() rejects the rest). Listed per class so that an
# explorer can ask for one kind of step without building all the others.
CANDIDATES: dict[type, Callable[[State], Iterator]] = {
    A.ClientWrite: lambda state: (A.ClientWrite(at, s, op) for at in _aps(state)
                                  for s, op in candidate_ops(state, at)),
    A.ReplicateToPassive: lambda state: map(A.ReplicateToPassive, _aps(state)),
    A.Acknowledge: lambda state: map(A.Acknowledge, _aps(state)),
    **{cls: (lambda cls: lambda state: map(cls, range(len(state.replicas))))(cls)
       for cls in _EACH_REPLICA},
    A.EmergencyFailover: lambda state: (A.EmergencyFailover(r, p) for r, p in _pairs(state, True)),
    A.Partition: lambda state: (A.Partition(r, p) for r, p in _pairs(state, False)),
    A.Heal: lambda state: (A.Heal(r, p) for r, p in _pairs(state, False)),
    A.Read: lambda state: map(A.Read, range(state.config.sessions)),
    A.MoveSession: lambda state: (A.MoveSession(s, r) for s in range(state.config.sessions)
                                  for r in range(len(state.replicas))),
    A.LoseRegion: lambda state: map(A.LoseRegion, range(len(state.config.regions))),
    A.PlannedFailover: lambda state: iter((A.PlannedFailover(),)),
    A.Tick: lambda state: map(A.Tick, tick_candidates(state)),
}
assert set(CANDIDATES) == set(STEPS)


def candidates(state: State, kinds: Iterable[type] = tuple(STEPS)) -> Iterator:
    """Every action worth trying in `state` (a superset of the enabled ones),
    of the given action classes (all by default), class by class."""
    for cls in kinds:
        yield from CANDIDATES[cls](state)


def enabled(state: State) -> list[tuple[object, State]]:
    """Every action that is not rejected in `state`, with its successor."""
    out = []
    for action in candidates(state):
        nxt = step(state, action)
        if not isinstance(nxt, A.Rejected):
            out.append((action, nxt))
    return out
