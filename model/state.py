"""The state of one partition (design.md §2): replicas, orchestrator, sessions,
network, clock, backups, and the history that the properties read.

All classes are frozen; a step builds a new state and never mutates one.
Replicas are numbered in the order of `Config.datacenters`.
"""

from __future__ import annotations

from typing import Optional, Union

import attrs

from .config import Config
from .objects import Op, View
from .records import evolve

SYSTEM = -1  # the session id of writes the system makes itself (purge)


@attrs.frozen
class Entry:
    """A log entry `(epoch, lsn, op)` with who wrote it, where and when.

    `origin` is the replica that took the client write; `session` and
    `logical` name the writing (logical) session; `day` is the model's day
    when the AP accepted the write (a soft delete's deletion time).
    """

    epoch: int
    lsn: int
    op: Op
    origin: int
    session: int
    logical: int
    day: int


@attrs.frozen
class Replica:
    """A replica: up or down, highest epoch seen, durable log, commit point."""

    up: bool
    epoch: int
    log: tuple[Entry, ...]
    commit: int


@attrs.frozen
class Orchestrator:
    """The failover orchestrator's configuration (design.md §2, Roles).

    `roles[e - 1]` is the `(AP, PP)` pair of epoch `e`; the last one is
    current. `pp_in_sync` says the current PP has copied the AP's log since
    it was installed (and has not lost its disk since): only such a PP may
    be promoted (decided here; see docs/model.md). The orchestrator is
    assumed reliable and linearisable.
    """

    roles: tuple[tuple[int, int], ...]
    pp_in_sync: bool = True

    @property
    def epoch(self) -> int:
        return len(self.roles)

    @property
    def ap(self) -> int:
        return self.roles[-1][0]

    @property
    def pp(self) -> int:
        return self.roles[-1][1]


@attrs.frozen
class Token:
    """A replica token: the highest `(epoch, lsn)` a session wrote or read."""

    epoch: int = 0
    lsn: int = 0


@attrs.frozen
class Session:
    """A client session with affinity to one replica (design.md §2, Reads).

    `logical` counts the logical sessions this client has started; moving to
    another datacenter starts a new one with a fresh token.
    """

    replica: int
    token: Token = Token()
    logical: int = 0


@attrs.frozen
class Snapshot:
    """A daily backup of the AP's committed directory (design.md §3)."""

    day: int
    view: View


@attrs.frozen
class FaultBudget:
    """Book-keeping of the decided fault budget (design.md §2, Faults).

    At most one of {AP's disk, PP's disk} may be lost before the PP has been
    replaced. `guard` are the replicas holding the synchronous copies of
    what was acknowledged: the AP and the last PP that copied its log. A
    PP installed by a failover joins the guard only once it has copied the
    AP's log; until then the old pair stays guarded. `pending` says one
    guarded disk has been lost and not yet made good (by the PP copying the
    AP's log); `exceeded` says a second one was lost first.
    """

    guard: tuple[int, ...] = ()
    pending: bool = False
    exceeded: bool = False


@attrs.frozen
class Acked:
    """History: `replica`, AP of `epoch`, acknowledged `entry` to its client.

    `regions` are the regions whose replicas held the entry at that moment.
    """

    replica: int
    epoch: int
    entry: Entry
    regions: tuple[int, ...]


@attrs.frozen
class ReadServed:
    """History: a read of a logical session, served at `replica`.

    `seen` is the committed log prefix the read returned; `token` the
    session's token before the read.
    """

    session: int
    logical: int
    replica: int
    seen: tuple[Entry, ...]
    token: Token


@attrs.frozen
class FailedOver:
    """History: the orchestrator started `epoch` with a new AP and PP."""

    kind: str  # "emergency", "planned" or "replace-passive"
    epoch: int
    ap: int
    pp: int


Event = Union[Acked, ReadServed, FailedOver]


@attrs.frozen
class State:
    """The whole partition at one instant, and its history so far."""

    config: Config
    replicas: tuple[Replica, ...]
    orchestrator: Orchestrator
    sessions: tuple[Session, ...]
    cut: tuple[tuple[int, int], ...] = ()
    day: int = 0
    snapshots: tuple[Snapshot, ...] = ()
    budget: FaultBudget = FaultBudget()
    history: tuple[Event, ...] = ()


def initial_roles(config: Config) -> tuple[int, int]:
    """The AP is the first datacenter; the PP the first one in another region.

    Only with flaw `pp-same-region` and a single region may the PP share the
    AP's region.
    """
    ap = 0
    others = [r for r in config.replicas if config.region_of(r) != config.region_of(ap)]
    pp = others[0] if others else 1
    return ap, pp


def initial_state(config: Config) -> State:
    """Epoch 1, every replica up and empty, sessions spread over secondaries."""
    ap, pp = initial_roles(config)
    secondaries = [r for r in config.replicas if r not in (ap, pp)] or list(config.replicas)
    sessions = tuple(Session(secondaries[i % len(secondaries)]) for i in range(config.sessions))
    replicas = tuple(Replica(True, 1, (), 0) for _ in config.replicas)
    return State(config, replicas, Orchestrator(((ap, pp),)), sessions, budget=FaultBudget((ap, pp)))


def linked(state: State, a: int, b: int) -> bool:
    """The network link between two datacenters is not cut."""
    return a == b or ((a, b) if a < b else (b, a)) not in state.cut


def connected(state: State, a: int, b: int) -> bool:
    """Both replicas are up and their datacenters can talk."""
    return state.replicas[a].up and state.replicas[b].up and linked(state, a, b)


def believes_ap(state: State, r: int) -> bool:
    """Replica r is up and is the AP of the epoch it has seen (maybe deposed)."""
    rep = state.replicas[r]
    return rep.up and 1 <= rep.epoch <= len(state.orchestrator.roles) \
        and state.orchestrator.roles[rep.epoch - 1][0] == r


def acting_ap(state: State) -> Optional[int]:
    """The orchestrator's AP, if it is up and holds the current epoch."""
    orch = state.orchestrator
    rep = state.replicas[orch.ap]
    return orch.ap if rep.up and rep.epoch == orch.epoch else None


def with_replica(state: State, r: int, rep: Replica) -> State:
    reps = state.replicas
    return evolve(state, replicas=reps[:r] + (rep,) + reps[r + 1:])


def with_session(state: State, s: int, sess: Session) -> State:
    ss = state.sessions
    return evolve(state, sessions=ss[:s] + (sess,) + ss[s + 1:])
