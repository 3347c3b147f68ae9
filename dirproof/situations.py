"""Situations: named things that happen during one step, counted for coverage.

Each `Situation` is a predicate over (pre-state, action, post-state) and
belongs to the property whose interesting case it is (an acknowledged write
survives an emergency failover, a read pulls its own write, a restore on
the last day of retention, ...). Those in `REACHABILITY` are "sometimes"
checks: a default run on the safe design must reach them, or its green
verdict is not evidence (docs/exploration.md). The exploration
(dirproof.explore) counts them; `dirproof check` prints the counts.
"""

from __future__ import annotations

from typing import Callable, Optional

import attrs

from dirproof.model import HandedOff, MoveSession, Reroute
from dirproof.model import (GONE, LIVE, SOFT_DELETED, Acked, ClientWrite, Config, EmergencyFailover,
                            FailedOver, LoseDisk, LoseRegion, PermanentDelete, PlannedFailover, Purge,
                            Read, ReadServed, RecoverFromBackup, Rejoin, ReplicateToSecondary, Restore,
                            SoftDelete, State, acting_ap, view_of)
from dirproof.model.links import linkset
from dirproof.model.deletes import BulkDelete
from dirproof.model.objects import default_attrs


@attrs.frozen
class Situation:
    """Something that happens during one step, counted for coverage. A
    `required` situation is a reachability check: a default run on the safe
    design must reach it, or its green verdict is not worth much."""

    id: str
    statement: str
    property: Optional[str]  # the property whose interesting case it is
    required: bool
    detect: Callable[[State, object, State], bool] = attrs.field(repr=False, eq=False)


def _new_events(prev: State, nxt: State) -> tuple:
    return nxt.history[len(prev.history):]


def _holds(log: tuple, entry) -> bool:
    return len(log) >= entry.lsn and log[entry.lsn - 1] == entry


def _acked(state: State) -> list:
    return [ev.entry for ev in state.history if isinstance(ev, Acked)]


def _acked_survives_emergency(prev: State, action, nxt: State) -> bool:
    if not isinstance(action, EmergencyFailover):
        return False
    acked = _acked(prev)
    new_ap = nxt.replicas[nxt.orchestrator.ap]
    return bool(acked) and all(_holds(new_ap.log, e) for e in acked)


def _read_pulls_own_write(prev: State, action, nxt: State) -> bool:
    if not isinstance(action, Read):
        return False
    sess = prev.sessions[action.session]
    before = prev.replicas[sess.replica]
    if before.commit >= sess.token.lsn or nxt.replicas[sess.replica].commit <= before.commit:
        return False
    own = {ev.entry for ev in prev.history if isinstance(ev, Acked)
           and ev.entry.session == action.session and ev.entry.logical == sess.logical}
    served = [ev for ev in _new_events(prev, nxt) if isinstance(ev, ReadServed)]
    return any(e in own for ev in served for e in ev.seen[before.commit:])


def _deleted_day(log: tuple, entry) -> Optional[int]:
    """The day of the soft delete that `entry` (a restore, purge, ...) undoes."""
    for e in reversed(log[:entry.lsn - 1]):
        if isinstance(e.op, SoftDelete) and e.op.obj == entry.op.obj:
            return e.day
    return None


def _acked_ops(prev: State, nxt: State, op_type) -> list:
    out = []
    for ev in _new_events(prev, nxt):
        if isinstance(ev, Acked) and isinstance(ev.entry.op, op_type):
            out.append((ev, nxt.replicas[ev.replica].log))
    return out


def _acked_at_age(op_type, age_of: Callable[[Config], int]):
    def detect(prev: State, action, nxt: State) -> bool:
        for ev, log in _acked_ops(prev, nxt, op_type):
            day = _deleted_day(log, ev.entry)
            if day is not None and ev.entry.day - day == age_of(nxt.config):
                return True
        return False
    return detect


def _restore_keeps_attributes(prev: State, action, nxt: State) -> bool:
    for ev, log in _acked_ops(prev, nxt, Restore):
        rec = view_of(nxt.config, log[:ev.entry.lsn], ev.replica)[ev.entry.op.obj]
        if rec is not None and rec.attrs != default_attrs(nxt.config):
            return True
    return False


def _deposed_ap_takes_write(prev: State, action, nxt: State) -> bool:
    return isinstance(action, ClientWrite) and \
        prev.replicas[action.at].epoch < prev.orchestrator.epoch


def _divergent_suffix_dropped(prev: State, action, nxt: State) -> bool:
    if not isinstance(action, (Rejoin, EmergencyFailover)):
        return False
    return any(len(b.log) < len(a.log) for a, b in zip(prev.replicas, nxt.replicas))


def _several_failovers(prev: State, action, nxt: State) -> bool:
    return isinstance(action, (EmergencyFailover, PlannedFailover)) and \
        sum(isinstance(ev, FailedOver) and ev.kind in ("emergency", "planned") for ev in nxt.history) >= 3


def _primary_disk_lost_with_acks(prev: State, action, nxt: State) -> bool:
    if not isinstance(action, (LoseDisk, LoseRegion)) or not _acked(prev):
        return False
    orch = prev.orchestrator
    return any(prev.replicas[r].log and not nxt.replicas[r].log for r in (orch.ap, orch.pp))


def _disk_loss_made_good(prev: State, action, nxt: State) -> bool:
    return prev.budget.pending and not nxt.budget.pending and not nxt.budget.exceeded


def _read_after_failover_with_token(prev: State, action, nxt: State) -> bool:
    if not isinstance(action, Read):
        return False
    tok = prev.sessions[action.session].token
    return tok.lsn > 0 and tok.epoch < prev.orchestrator.epoch


def _read_while_unacked(prev: State, action, nxt: State) -> bool:
    if not isinstance(action, Read):
        return False
    ap = acting_ap(prev)
    return ap is not None and len(prev.replicas[ap].log) > prev.replicas[ap].commit


def _read_while_ap_down(prev: State, action, nxt: State) -> bool:
    return isinstance(action, Read) and acting_ap(prev) is None


def _emergency_with_pp_up(prev: State, action, nxt: State) -> bool:
    return isinstance(action, EmergencyFailover) and action.new_ap == prev.orchestrator.pp


def _recovery_of(status: str):
    """An acknowledged backup recovery of an object that was `status` just before it."""
    def detect(prev: State, action, nxt: State) -> bool:
        for ev, log in _acked_ops(prev, nxt, RecoverFromBackup):
            rec = view_of(nxt.config, log[:ev.entry.lsn - 1], ev.replica)[ev.entry.op.obj]
            if rec is not None and rec.status == status:
                return True
        return False
    return detect


def _tombstone_replicated(prev: State, action, nxt: State) -> bool:
    if not isinstance(action, ReplicateToSecondary):
        return False
    old, new = prev.replicas[action.replica].log, nxt.replicas[action.replica].log
    return any(isinstance(e.op, (PermanentDelete, Purge)) for e in new[len(old):])


def _failover_after_tombstone(prev: State, action, nxt: State) -> bool:
    if not isinstance(action, (EmergencyFailover, PlannedFailover)):
        return False
    ap = nxt.orchestrator.ap
    rep = nxt.replicas[ap]
    view = view_of(nxt.config, rep.log, ap)
    return any(rec is not None and rec.status == GONE for rec in view)


def _read_pulls_handed_write(prev: State, action, nxt: State) -> bool:
    """Issue 14: a read pulls up to a token handed to the session and
    returns an acknowledged write of another session."""
    if not isinstance(action, Read):
        return False
    s = action.session
    sess = prev.sessions[s]
    handed = any(isinstance(ev, HandedOff) and ev.receiver == s and ev.logical == sess.logical
                 for ev in prev.history)
    r = sess.replica
    pulled = nxt.replicas[r].commit > prev.replicas[r].commit
    served = [ev for ev in _new_events(prev, nxt) if isinstance(ev, ReadServed)]
    acked = set(_acked(prev))
    return handed and pulled and bool(served) and any(e in acked and e.session not in (s, -1)
                                                      for e in served[0].seen)


def _moved_with_token(prev: State, action, nxt: State) -> bool:
    """Issue 14: a session is routed to another datacenter and keeps a non-empty token."""
    if not isinstance(action, (MoveSession, Reroute)):
        return False
    s = action.session
    return nxt.sessions[s].token.lsn > 0 and nxt.sessions[s].logical == prev.sessions[s].logical


def _rerouted(prev: State, action, nxt: State) -> bool:
    """Issue 15: the gateway moves a session off a datacenter it found down."""
    return isinstance(action, Reroute) and not prev.replicas[prev.sessions[action.session].replica].up


def _typed_delete_acked(prev: State, action, nxt: State) -> bool:
    """issue 14: a bulk permanent delete by typed id is acknowledged (the
    safe design takes it only for a soft-deleted object of that kind)."""
    return any(isinstance(ev, Acked) and isinstance(ev.entry.op, BulkDelete) for ev in _new_events(prev, nxt))


def _restore_with_links(prev: State, action, nxt: State) -> bool:
    """issue 14: a restore of an object that holds a membership (a user in a
    group, or a group with a member) is acknowledged."""
    for ev, log in _acked_ops(prev, nxt, Restore):
        o = ev.entry.op.obj
        if any(linkset(view_of(nxt.config, log[:ev.entry.lsn - 1], ev.replica), o, nxt.config)):
            return True
    return False


SITUATIONS: dict[str, Situation] = {s.id: s for s in (
    # The four reachability checks of issue 4.
    Situation("acked-write-survives-failover",
              "an emergency failover promotes a PP that holds every acknowledged write",
              "no-acked-write-lost", True, _acked_survives_emergency),
    Situation("read-pulls-own-write",
              "a session reads its own acknowledged write at a secondary that had to pull it",
              "read-your-writes", True, _read_pulls_own_write),
    Situation("restore-on-last-day",
              "a soft-deleted object is restored (acknowledged) at age retention - 1",
              "soft-delete-restorable", True, _acked_at_age(Restore, lambda c: c.retention_days - 1)),
    Situation("deposed-ap-takes-write",
              "a deposed AP, not yet aware of the new epoch, takes a client write",
              "one-history", True, _deposed_ap_takes_write),
    # Every property's interesting cases (coverage).
    Situation("several-failovers", "a third failover (emergency or planned) in one run",
              "no-acked-write-lost", True, _several_failovers),
    Situation("primary-disk-lost-with-acks", "the AP's or PP's disk is lost after acknowledgements",
              "no-acked-write-lost", True, _primary_disk_lost_with_acks),
    Situation("disk-loss-made-good", "the PP holds the AP's commits again after a primary's disk loss",
              "no-acked-write-lost", True, _disk_loss_made_good),
    Situation("divergent-suffix-dropped", "a rejoining replica or new PP drops a log suffix",
              "one-history", True, _divergent_suffix_dropped),
    Situation("read-after-failover-with-token",
              "a session with a token from an older epoch reads after a failover",
              "monotonic-reads", True, _read_after_failover_with_token),
    Situation("read-while-unacked", "a read while the AP holds unacknowledged entries",
              "no-read-of-lost-write", True, _read_while_unacked),
    Situation("restore-keeps-attributes", "a restore of an object with non-default attributes is acknowledged",
              "soft-delete-restorable", True, _restore_keeps_attributes),
    Situation("purge-at-retention", "a purge at age exactly retention is acknowledged",
              "no-early-purge", True, _acked_at_age(Purge, lambda c: c.retention_days)),
    Situation("recovery-of-soft-deleted", "a backup recovery of a soft-deleted object is acknowledged",
              "no-resurrection", True, _recovery_of(SOFT_DELETED)),
    Situation("recovery-of-live", "a backup recovery of a live object is acknowledged",
              "no-resurrection", True, _recovery_of(LIVE)),
    Situation("tombstone-replicated", "a secondary copies a permanent delete or purge",
              "no-resurrection", True, _tombstone_replicated),
    Situation("failover-after-tombstone", "a failover to an AP that holds a deleted-for-good object",
              "no-resurrection", True, _failover_after_tombstone),
    Situation("emergency-failover-pp-up", "the AP is lost and the up PP is promoted",
              "bounded-write-unavailability", True, _emergency_with_pp_up),
    Situation("read-while-ap-down", "a read is served while no AP is serving",
              "bounded-write-unavailability", True, _read_while_ap_down),
    # issues 14 and 15
    Situation("read-pulls-handed-write",
              "a read pulls up to a handed token and returns another session's acknowledged write",
              "causal-read", True, _read_pulls_handed_write),
    Situation("moved-with-token", "a session routed to another datacenter keeps its logical session and token",
              "read-your-writes", True, _moved_with_token),
    Situation("rerouted-off-lost-datacenter", "the gateway reroutes a session off a datacenter that is down",
              "reads-survive-datacenter-loss", True, _rerouted),
    Situation("typed-delete-acknowledged", "a bulk permanent delete by typed id is acknowledged",
              "no-delete-without-retention", False, _typed_delete_acked),
    Situation("restore-with-memberships", "a restore of an object that has a group membership is acknowledged",
              "restore-restores-links", False, _restore_with_links),
)}

REACHABILITY: tuple[str, ...] = ("acked-write-survives-failover", "read-pulls-own-write",
                                 "restore-on-last-day", "deposed-ap-takes-write")
