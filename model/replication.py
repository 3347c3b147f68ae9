"""The write path and replication of one partition (design.md §2).

client_write -> replicate_to_passive -> acknowledge is the synchronous path
of a write; replicate_to_secondary is the asynchronous copy to the other
replicas; rejoin is how a replica that missed an epoch comes back.
"""

from __future__ import annotations

from .actions import Rejected
from .objects import OpContext, Purge, view_of
from .records import evolve
from .state import (SYSTEM, Acked, Entry, FaultBudget, Replica, State, acting_ap, believes_ap,
                    connected, with_replica)


def fenced(state: State, receiver_epoch: int, sender_epoch: int) -> bool:
    """§2 fencing: a replica rejects replication from an epoch older than its own.

    Flaw `no-fencing` turns the check off.
    """
    return sender_epoch < receiver_epoch and not state.config.has("no-fencing")


def write_refusal(state: State, at: int, session: int, op) -> str | None:
    """Why the replica `at` must refuse a client write, or None."""
    cfg = state.config
    if not (session == SYSTEM or 0 <= session < cfg.sessions):
        return f"no session {session}"
    if not 0 <= op.obj < cfg.objects:
        return f"no object {op.obj}: the partition holds objects 0..{cfg.objects - 1}"
    if (session == SYSTEM) != isinstance(op, Purge):
        return ("purge is the system's operation, not a client session's" if session != SYSTEM
                else f"the system only purges; {type(op).__name__} comes from a client session")
    rep = state.replicas[at]
    if not rep.up:
        return f"{cfg.name_of(at)} is down: writes are unavailable"
    if not believes_ap(state, at):
        return f"{cfg.name_of(at)} is not an active primary: writes go to the AP"
    ctx = OpContext(cfg, state.day, state.snapshots)
    return op.refuse(view_of(cfg, rep.log, at), ctx)


def client_write(state: State, at: int, session: int, op) -> State | Rejected:
    """§2 write path steps 1-2: the AP appends `(epoch, next lsn, op)` to its log.

    `at` is the replica the gateway routed the write to: normally the
    orchestrator's AP, but a deposed AP that has not heard of the new epoch
    still takes writes (it can never get them acknowledged). The operation
    is judged against `at`'s view of its whole log (§3).
    """
    why = write_refusal(state, at, session, op)
    if why:
        return Rejected(why)
    rep = state.replicas[at]
    logical = state.sessions[session].logical if session != SYSTEM else 0
    entry = Entry(rep.epoch, len(rep.log) + 1, op, at, session, logical, state.day)
    return with_replica(state, at, evolve(rep, log=rep.log + (entry,)))


def replicate_to_passive(state: State, source: int) -> State | Rejected:
    """§2 write path step 3: the PP takes the log of the AP of its epoch.

    The PP mirrors its AP; in the safe design its log is always a prefix of
    the AP's, so this only appends, in order. It learns the AP's commit
    point on the way. A PP at an older epoch must rejoin first; a PP at a
    newer epoch fences the sender off.
    """
    cfg = state.config
    if not believes_ap(state, source):
        return Rejected(f"{cfg.name_of(source)} is not an active primary")
    src = state.replicas[source]
    pp = state.orchestrator.roles[src.epoch - 1][1]
    if not connected(state, source, pp):
        return Rejected(f"{cfg.name_of(source)} cannot reach its PP {cfg.name_of(pp)}")
    dst = state.replicas[pp]
    if fenced(state, dst.epoch, src.epoch):
        return Rejected(f"fenced: PP {cfg.name_of(pp)} is at epoch {dst.epoch}, "
                        f"{cfg.name_of(source)} sends from epoch {src.epoch}")
    if dst.epoch < src.epoch:
        return Rejected(f"PP {cfg.name_of(pp)} is at epoch {dst.epoch} < {src.epoch}: it must rejoin first")
    commit = min(max(dst.commit, src.commit), len(src.log))
    if dst.log == src.log and dst.commit == commit:
        return Rejected(f"PP {cfg.name_of(pp)} already holds the whole log of {cfg.name_of(source)}")
    state = with_replica(state, pp, Replica(dst.up, dst.epoch, src.log, commit))
    orch = state.orchestrator
    if source == orch.ap and pp == orch.pp and src.epoch == orch.epoch:
        state = synced(state)
    return state


def _held_prefix(mine: tuple, theirs: tuple) -> int:
    n = 0
    for a, b in zip(mine, theirs):
        if a != b:
            break
        n += 1
    return n


def acknowledge(state: State, replica: int) -> State | Rejected:
    """§2 write path step 4: the AP acknowledges every entry its PP holds.

    The AP's commit point moves to the longest prefix of its log that the PP
    of its epoch holds, and each newly committed entry is acknowledged to
    its session, whose token moves up to it. Flaw `ack-before-sync`: the
    AP acknowledges its whole log without waiting for the PP.
    """
    cfg = state.config
    if not believes_ap(state, replica):
        return Rejected(f"{cfg.name_of(replica)} is not an active primary")
    rep = state.replicas[replica]
    if cfg.has("ack-before-sync"):
        upto = len(rep.log)
    else:
        pp = state.orchestrator.roles[rep.epoch - 1][1]
        if not connected(state, replica, pp):
            return Rejected(f"{cfg.name_of(replica)} cannot reach its PP {cfg.name_of(pp)}")
        if fenced(state, state.replicas[pp].epoch, rep.epoch):
            return Rejected(f"fenced: PP {cfg.name_of(pp)} has moved to epoch {state.replicas[pp].epoch}")
        upto = _held_prefix(rep.log, state.replicas[pp].log)
    if upto <= rep.commit:
        return Rejected(f"nothing to acknowledge: the PP holds no entry past LSN {rep.commit}")
    state = with_replica(state, replica, evolve(rep, commit=upto))
    return _record_acks(state, replica, rep.epoch, rep.log[rep.commit:upto])


def _record_acks(state: State, replica: int, epoch: int, entries) -> State:
    events = []
    sessions = list(state.sessions)
    for e in entries:
        regions = tuple(sorted({state.config.region_of(r) for r, rep in enumerate(state.replicas)
                                if len(rep.log) >= e.lsn and rep.log[e.lsn - 1] == e}))
        events.append(Acked(replica, epoch, e, regions))
        if e.session != SYSTEM:
            sess = sessions[e.session]
            if sess.logical == e.logical and sess.token.lsn < e.lsn:
                sessions[e.session] = evolve(sess, token=type(sess.token)(e.epoch, e.lsn))
    return evolve(state, sessions=tuple(sessions), history=state.history + tuple(events))


def replicate_to_secondary(state: State, replica: int) -> State | Rejected:
    """§2 asynchronous replication: `replica` copies the AP's log up to its commit point.

    Entries are appended in order after what the replica holds; the replica
    relies on having rejoined (truncated) when the epoch changed. Flaw
    `ship-unacked`: it copies the whole log, past the commit point, and
    serves it.
    """
    cfg = state.config
    ap = acting_ap(state)
    if ap is None:
        return Rejected("no acting AP to replicate from")
    if replica in (ap, state.orchestrator.pp):
        return Rejected(f"{cfg.name_of(replica)} is a primary, not a secondary")
    if not connected(state, ap, replica):
        return Rejected(f"{cfg.name_of(replica)} cannot reach the AP {cfg.name_of(ap)}")
    return catch_up(state, replica, ap, _ship_point(state, ap))


def _ship_point(state: State, ap: int) -> int:
    src = state.replicas[ap]
    return len(src.log) if state.config.has("ship-unacked") else src.commit


def catch_up(state: State, replica: int, ap: int, upto: int) -> State | Rejected:
    """Copy the AP's entries after `replica`'s log, up to LSN `upto`."""
    cfg = state.config
    rep, src = state.replicas[replica], state.replicas[ap]
    if rep.epoch < src.epoch:
        return Rejected(f"{cfg.name_of(replica)} is at epoch {rep.epoch} < {src.epoch}: it must rejoin first")
    log = rep.log if len(rep.log) >= upto else rep.log + src.log[len(rep.log):upto]
    commit = len(log) if cfg.has("ship-unacked") else max(rep.commit, upto)
    if log == rep.log and commit == rep.commit:
        return Rejected(f"{cfg.name_of(replica)} is already up to date")
    return with_replica(state, replica, Replica(rep.up, rep.epoch, log, commit))


def common_prefix(mine: tuple, theirs: tuple) -> tuple:
    return mine[:_held_prefix(mine, theirs)]


def rejoin_log(state: State, rep: Replica, ap_log: tuple, epoch: int) -> Replica:
    """Adopt `epoch` and drop the suffix the AP does not have (§2 fencing).

    Flaw `keep-divergent-suffix`: the suffix is kept.
    """
    log = rep.log if state.config.has("keep-divergent-suffix") else common_prefix(rep.log, ap_log)
    return Replica(rep.up, epoch, log, min(rep.commit, len(log)))


def rejoin(state: State, replica: int) -> State | Rejected:
    """§2 fencing: a replica that missed an epoch adopts it and truncates.

    It asks the orchestrator for the current epoch and drops any log suffix
    that the current AP does not have, before it copies again.
    """
    cfg = state.config
    rep = state.replicas[replica]
    if not rep.up:
        return Rejected(f"{cfg.name_of(replica)} is down")
    orch = state.orchestrator
    if rep.epoch >= orch.epoch:
        return Rejected(f"{cfg.name_of(replica)} already has the current epoch {orch.epoch}")
    ap = acting_ap(state)
    if ap is None:
        return Rejected("no acting AP to rejoin")
    if not connected(state, ap, replica):
        return Rejected(f"{cfg.name_of(replica)} cannot reach the AP {cfg.name_of(ap)}")
    return with_replica(state, replica, rejoin_log(state, rep, state.replicas[ap].log, orch.epoch))


def synced(state: State) -> State:
    """The current PP now holds the current AP's log: it is in sync (may be
    promoted), and the fault budget guards this pair, a pending loss made good."""
    orch = state.orchestrator
    if not orch.pp_in_sync:
        state = evolve(state, orchestrator=evolve(orch, pp_in_sync=True))
    return evolve(state, budget=FaultBudget((orch.ap, orch.pp), False, state.budget.exceeded))
