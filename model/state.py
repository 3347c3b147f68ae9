"""The state of one partition (design.md §2): replicas, orchestrator, sessions,
network, clock, backups, and the history that the properties read.

All classes are frozen; a step builds a new state and never mutates one.
Replicas are numbered in the order of `Config.datacenters`. A field holds a
plain value in a concrete run and may hold a solver term in a symbolic one
(model/algebra.py); logs and roles are sequences (model/seq.py).
"""

from __future__ import annotations

from typing import Any, Union

import attrs

from .algebra import AND, EQ, NOT, symbolic
from .config import Config
from .objects import View, Write
from .ops import Op
from .records import SYSTEM, evolve
from .seq import at, length

NO_ROLE = (-1, -1)  # the roles of an epoch that has not started


@attrs.frozen
class Entry:
    """A log entry `(epoch, lsn, op)`, with the (logical) session that wrote it.

    `write` is the payload: the operation with its origin and day. In a
    symbolic run it is one opaque value, so only the object layer reads it.
    """

    epoch: int
    lsn: int
    session: int
    logical: int
    write: Write

    @property
    def op(self) -> Op:
        return self.write.op

    @property
    def origin(self) -> int:
        return self.write.origin

    @property
    def day(self) -> int:
        return self.write.day


NULL_ENTRY = Entry(0, 0, 0, 0, 0)  # type: ignore[arg-type]  # what a log reads as past its end (a real entry's epoch is >= 1)


@attrs.frozen
class Replica:
    """A replica: up or down, highest epoch seen, log, commit point, and its
    flushed point (design.md §6): the entries up to LSN `flushed` are on its
    disk; those past it live only in memory and an unclean crash loses them.
    The epoch and the commit point are kept on disk with the log's metadata.
    """

    up: bool
    epoch: int
    log: tuple[Entry, ...]
    commit: int
    flushed: int = 0


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
    # issue 13 item 4 (model/sync_set.py): the acknowledging set of the current
    # epoch has shrunk to the AP alone (flaw shrink-sync-set only); what the
    # record before the current one said of its PP being in sync (the record
    # a store that loses its latest change goes back to); the store has lost
    # a committed change (at most one: the bound of that fault)
    solo: bool = False
    prev_in_sync: bool = True
    lost_change: bool = False

    # (a concrete run keeps the roles in a tuple: read it directly, the hot path)
    @property
    def epoch(self) -> Any:
        roles = self.roles
        return len(roles) if type(roles) is tuple else length(roles)

    @property
    def ap(self) -> Any:
        roles = self.roles
        if type(roles) is tuple:
            return roles[-1][0] if roles else NO_ROLE[0]
        return at(roles, self.epoch - 1, NO_ROLE)[0]

    @property
    def pp(self) -> Any:
        roles = self.roles
        if type(roles) is tuple:
            return roles[-1][1] if roles else NO_ROLE[1]
        return at(roles, self.epoch - 1, NO_ROLE)[1]

    def of(self, epoch: Any) -> tuple[Any, Any]:
        """The (AP, PP) of `epoch` (NO_ROLE outside 1..epoch)."""
        return at(self.roles, epoch - 1, NO_ROLE)


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

    guard: tuple[int, int] = (0, 1)
    pending: bool = False
    exceeded: bool = False


@attrs.frozen
class Acked:
    """History: `replica`, AP of `epoch`, acknowledged `entry` to its client.

    `held_in[g]` says a replica of region g held the entry at that moment.
    """

    replica: int
    epoch: int
    entry: Entry
    held_in: tuple[bool, ...]

    @property
    def regions(self) -> tuple[int, ...]:
        return tuple(g for g, held in enumerate(self.held_in) if held)


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

    kind: str  # "emergency", "planned", "replace-passive" or "restart" (faults.drop_unconfirmed)
    epoch: int
    ap: int
    pp: int


@attrs.frozen
class HandedOff:
    """History: session `giver` passed its replica token `token` to session
    `receiver`, then in its logical session `logical` (issue 14, causal hand-off)."""

    giver: int
    receiver: int
    logical: int
    token: Token


Event = Union[Acked, ReadServed, FailedOver, HandedOff]


@attrs.frozen
class State:
    """The whole partition at one instant, and its history so far.

    `links` holds, for every pair of replicas (in `replica_pairs` order),
    whether the network between their datacenters is cut.
    """

    config: Config
    replicas: tuple[Replica, ...]
    orchestrator: Orchestrator
    sessions: tuple[Session, ...]
    links: tuple[bool, ...]
    day: int = 0
    snapshots: tuple[Snapshot, ...] = ()
    budget: FaultBudget = FaultBudget()
    history: tuple[Event, ...] = ()
    # issue 13 item 5 (model/images.py): per replica, the (epoch, commit point)
    # of its last image (a VM snapshot or backup of that replica); the
    # provisioning image, (1, 0), until one is taken
    images: tuple[tuple[int, int], ...] = attrs.field(
        default=attrs.Factory(lambda s: ((1, 0),) * len(s.replicas), takes_self=True))
    # the gateway's count of consecutive failed health probes per datacenter
    # (issue 15; a datacenter is marked unhealthy at Config.probe_failures)
    missed: tuple[int, ...] = ()
    # tombstone lifetime (model/tombstones.py): per replica, the last day it
    # held the AP's committed log; and the LSN up to which the AP's log is
    # compacted (the deletion markers in it collected)
    contact: tuple[int, ...] = ()
    collected: int = 0

    @property
    def cut(self) -> tuple[tuple[int, int], ...]:
        """The cut links as replica pairs (a concrete state)."""
        return tuple(p for p, c in zip(replica_pairs(len(self.replicas)), self.links) if c)


def replica_pairs(n: int) -> list[tuple[int, int]]:
    return [(a, b) for a in range(n) for b in range(a + 1, n)]


def pair_index(n: int, a: int, b: int) -> int:
    """The position of the link a-b (a != b, any order) in `State.links`."""
    a, b = min(a, b), max(a, b)
    return a * (2 * n - a - 1) // 2 + (b - a - 1)


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
    n = len(config.datacenters)
    return State(config, replicas, Orchestrator(((ap, pp),)), sessions, (False,) * (n * (n - 1) // 2),
                 budget=FaultBudget((ap, pp)), missed=(0,) * n, contact=(0,) * n)


# --------------------------------------------------------------------------- who can talk, who leads

def linked(state: State, a: int, b: int) -> Any:
    """The network link between two datacenters is not cut."""
    if a == b:
        return True
    return NOT(state.links[pair_index(len(state.replicas), a, b)])


def connected(state: State, a: int, b: int) -> Any:
    """Both replicas are up and their datacenters can talk."""
    return AND(state.replicas[a].up, state.replicas[b].up, linked(state, a, b))


def believes_ap(state: State, r: int) -> Any:
    """Replica r is up and is the AP of the epoch it has seen (maybe deposed)."""
    rep = state.replicas[r]
    orch = state.orchestrator
    return AND(rep.up, rep.epoch >= 1, rep.epoch <= orch.epoch, EQ(orch.of(rep.epoch)[0], r))


def acting(state: State, r: int) -> Any:
    """Replica r is the orchestrator's AP, up and holding the current epoch."""
    orch = state.orchestrator
    rep = state.replicas[r]
    return AND(EQ(orch.ap, r), rep.up, EQ(rep.epoch, orch.epoch))


def acting_ap(state: State) -> int | None:
    """The orchestrator's AP, if it is up and holds the current epoch (a concrete state)."""
    ap = state.orchestrator.ap
    return ap if acting(state, ap) else None


def with_replica(state: State, r: int, rep: Replica) -> State:
    reps = state.replicas
    return evolve(state, replicas=reps[:r] + (rep,) + reps[r + 1:])


def with_session(state: State, s: int, sess: Session) -> State:
    ss = state.sessions
    return evolve(state, sessions=ss[:s] + (sess,) + ss[s + 1:])


def record(state: State, event: Event, when: Any = True) -> State:
    """Append `event` to the history (when `when` holds). A symbolic run keeps
    the condition with the event, for the monitors that read it."""
    if symbolic():
        return evolve(state, history=state.history + ((when, event),))
    return evolve(state, history=state.history + (event,)) if when else state
