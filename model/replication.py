"""The write path and replication of one partition (design.md §2).

client_write -> replicate_to_passive -> acknowledge is the synchronous path
of a write; replicate_to_secondary is the asynchronous copy to the other
replicas; rejoin is how a replica that missed an epoch comes back.

Each step is written once, in the language of model/algebra.py: a concrete
run is the model, and the Z3 engine derives its transition relation by
running the same function over symbolic states.
"""

from __future__ import annotations

from typing import Any

from .algebra import AND, ANY, EQ, ITE, MAX, MIN, NOT, OR, branch, choose, require
from .records import SYSTEM, evolve
from .seq import append, common, extend, items, length, prefix, same
from .seq import holds as log_holds
from .state import (Acked, Entry, FaultBudget, Replica, State, Token, acting, believes_ap,
                    connected, record, with_replica)
from .tombstones import in_contact, linger, require_fresh


def fenced(state: State, receiver_epoch: Any, sender_epoch: Any) -> Any:
    """§2 fencing: a replica rejects replication from an epoch older than its own.

    Flaw `no-fencing` turns the check off.
    """
    if state.config.has("no-fencing"):
        return False
    return sender_epoch < receiver_epoch


def client_write(state: State, at: int, session: int, op) -> State:
    """§2 write path steps 1-2: the AP appends `(epoch, next lsn, op)` to its log.

    `at` is the replica the gateway routed the write to: normally the
    orchestrator's AP, but a deposed AP that has not heard of the new epoch
    still takes writes (it can never get them acknowledged). The operation
    is judged by the object layer against `at`'s view of its whole log (§3).
    """
    cfg = state.config
    name = cfg.name_of(at)
    require(session == SYSTEM or 0 <= session < cfg.sessions, lambda: f"no session {session}")
    op.admit_static(cfg, session)
    rep = state.replicas[at]
    require(rep.up, lambda: f"{name} is down: writes are unavailable")
    require(believes_ap(state, at), lambda: f"{name} is not an active primary: writes go to the AP")
    op.admit(state, at)
    logical = state.sessions[session].logical if session != SYSTEM else 0
    entry = Entry(rep.epoch, length(rep.log) + 1, session, logical, op.write(at, state.day))
    return with_replica(state, at, evolve(rep, log=append(rep.log, entry)))


def replicate_to_passive(state: State, source: int) -> State:
    """§2 write path step 3: the PP takes the log of the AP of its epoch.

    The PP mirrors its AP; in the safe design its log is always a prefix of
    the AP's, so this only appends, in order. It learns the AP's commit
    point on the way. A PP at an older epoch must rejoin first; a PP at a
    newer epoch fences the sender off.
    """
    cfg = state.config
    name = cfg.name_of(source)
    require(believes_ap(state, source), lambda: f"{name} is not an active primary")
    src = state.replicas[source]
    pp = choose(state.orchestrator.of(src.epoch)[1], cfg.replicas)
    pname = cfg.name_of(pp)
    require(connected(state, source, pp), lambda: f"{name} cannot reach its PP {pname}")
    dst = state.replicas[pp]
    require(NOT(fenced(state, dst.epoch, src.epoch)),
            lambda: f"fenced: PP {pname} is at epoch {dst.epoch}, {name} sends from epoch {src.epoch}")
    require(NOT(dst.epoch < src.epoch),
            lambda: f"PP {pname} is at epoch {dst.epoch} < {src.epoch}: it must rejoin first")
    commit = MIN(MAX(dst.commit, src.commit), length(src.log))
    require(NOT(AND(same(dst.log, src.log), EQ(dst.commit, commit))),
            lambda: f"PP {pname} already holds the whole log of {name}")
    # §6: the AP ships only what it has flushed (it flushes first), and the
    # PP flushes what it takes before it confirms (knob ack_waits_for =
    # "memory": it keeps it in memory and confirms at once)
    flushed = MIN(dst.flushed, common(dst.log, src.log)) if cfg.acks_on_memory else length(src.log)
    state = with_replica(state, pp, Replica(dst.up, dst.epoch, src.log, commit, flushed))
    state = with_replica(state, source, evolve(src, flushed=length(src.log)))
    state = in_contact(state, pp, acting(state, source))  # the PP takes the AP's whole log: a full copy
    orch = state.orchestrator
    if branch(AND(EQ(orch.ap, source), EQ(orch.pp, pp), EQ(src.epoch, orch.epoch))):
        state = synced(state)
    return state


def acknowledge(state: State, replica: int) -> State:
    """§2 write path step 4: the AP acknowledges every entry its PP holds.

    The AP's commit point moves to the longest prefix of its log that the PP
    of its epoch holds, and each newly committed entry is acknowledged to
    its session, whose token moves up to it. §6: only what both hold
    flushed is acknowledged (the AP flushed what it shipped); knob
    `ack_waits_for = "memory"` / flaw `ack-unflushed-pp`: the PP's copy in
    memory is enough. Flaw `ack-before-sync`: the AP acknowledges its whole
    log without waiting for the PP.
    """
    cfg = state.config
    name = cfg.name_of(replica)
    require(believes_ap(state, replica), lambda: f"{name} is not an active primary")
    rep = state.replicas[replica]
    if cfg.has("ack-before-sync"):
        upto = length(rep.log)
    else:
        pp = choose(state.orchestrator.of(rep.epoch)[1], cfg.replicas)
        pname, pp_epoch = cfg.name_of(pp), state.replicas[pp].epoch
        require(connected(state, replica, pp), lambda: f"{name} cannot reach its PP {pname}")
        require(NOT(fenced(state, pp_epoch, rep.epoch)),
                lambda: f"fenced: PP {pname} has moved to epoch {pp_epoch}")
        held = common(rep.log, state.replicas[pp].log)
        if not cfg.acks_on_memory:  # §6: the PP confirms only what it has flushed
            held = MIN(held, state.replicas[pp].flushed)
        upto = MIN(held, rep.flushed)
    require(upto > rep.commit,
            lambda: f"nothing to acknowledge: the PP holds no entry past LSN {rep.commit}")
    state = with_replica(state, replica, evolve(rep, commit=upto))
    return record_acks(state, replica, rep, rep.commit, upto)


def record_acks(state: State, replica: int, rep: Replica, lo: Any, upto: Any, only: Any = None) -> State:
    """Each entry of `rep.log` between LSN `lo` and `upto` (of session
    `only`'s current logical session, when given) is acknowledged (history:
    Acked, with the regions holding it), and its session's token moves up
    to it."""
    cfg = state.config
    sessions = list(state.sessions)
    for present, _, e in items(rep.log, lo, upto):
        if only is not None:
            present = AND(present, EQ(e.session, only), EQ(e.logical, state.sessions[only].logical))
        held = tuple(ANY(log_holds(state.replicas[r].log, e.lsn, e) for r in cfg.replicas
                         if cfg.region_of(r) == g) for g in range(len(cfg.regions)))
        state = record(state, Acked(replica, rep.epoch, e, held), present)
        for s, sess in enumerate(sessions):
            mine = AND(present, EQ(e.session, s), EQ(e.logical, sess.logical), sess.token.lsn < e.lsn)
            sessions[s] = ITE(mine, evolve(sess, token=Token(e.epoch, e.lsn)), sess)
    return evolve(state, sessions=tuple(sessions))


def replicate_to_secondary(state: State, replica: int) -> State:
    """§2 asynchronous replication: `replica` copies the AP's log up to its commit point.

    Entries are appended in order after what the replica holds; the replica
    relies on having rejoined (truncated) when the epoch changed. Flaw
    `ship-unacked`: it copies the whole log, past the commit point, and
    serves it.
    """
    cfg = state.config
    orch = state.orchestrator
    ap = choose(orch.ap, cfg.replicas)
    require(acting(state, ap), "no acting AP to replicate from")
    name = cfg.name_of(replica)
    require(NOT(OR(EQ(replica, ap), EQ(replica, orch.pp))), lambda: f"{name} is a primary, not a secondary")
    require(connected(state, ap, replica), lambda: f"{name} cannot reach the AP {cfg.name_of(ap)}")
    src = state.replicas[ap]
    state = catch_up(state, replica, ap, length(src.log) if cfg.has("ship-unacked") else src.commit)
    return in_contact(state, replica)  # it holds the AP's committed log


def catch_up(state: State, replica: int, ap: int, upto: Any) -> State:
    """Copy the AP's entries after `replica`'s log, up to LSN `upto`."""
    cfg = state.config
    name = cfg.name_of(replica)
    rep, src = state.replicas[replica], state.replicas[ap]
    require(NOT(rep.epoch < src.epoch),
            lambda: f"{name} is at epoch {rep.epoch} < {src.epoch}: it must rejoin first")
    require_fresh(state, replica, "caught up from the log")
    log = extend(rep.log, src.log, upto)
    commit = length(log) if cfg.has("ship-unacked") else MAX(rep.commit, upto)
    require(NOT(AND(length(rep.log) >= upto, EQ(commit, rep.commit))), lambda: f"{name} is already up to date")
    state = linger(state, replica, ap)
    return with_replica(state, replica, Replica(rep.up, rep.epoch, log, commit, rep.flushed))


def rejoin_log(state: State, rep: Replica, ap_log: Any, epoch: Any) -> Replica:
    """Adopt `epoch` and drop the suffix the AP does not have (§2 fencing).

    Flaw `keep-divergent-suffix`: the suffix is kept.
    """
    log = rep.log if state.config.has("keep-divergent-suffix") else prefix(rep.log, common(rep.log, ap_log))
    return Replica(rep.up, epoch, log, MIN(rep.commit, length(log)), MIN(rep.flushed, length(log)))


def rejoin(state: State, replica: int) -> State:
    """§2 fencing: a replica that missed an epoch adopts it and truncates.

    It asks the orchestrator for the current epoch and drops any log suffix
    that the current AP does not have, before it copies again.
    """
    cfg = state.config
    name = cfg.name_of(replica)
    rep = state.replicas[replica]
    require(rep.up, lambda: f"{name} is down")
    orch = state.orchestrator
    require(rep.epoch < orch.epoch, lambda: f"{name} already has the current epoch {orch.epoch}")
    ap = choose(orch.ap, cfg.replicas)
    require(acting(state, ap), "no acting AP to rejoin")
    require(connected(state, ap, replica), lambda: f"{name} cannot reach the AP {cfg.name_of(ap)}")
    require_fresh(state, replica, "rejoined", EQ(replica, orch.pp))  # the PP then takes the whole log
    return with_replica(state, replica, rejoin_log(state, rep, state.replicas[ap].log, orch.epoch))


def synced(state: State) -> State:
    """The current PP now holds the current AP's log: it is in sync (may be
    promoted), and the fault budget guards this pair, a pending loss made good."""
    orch = state.orchestrator
    state = evolve(state, orchestrator=evolve(orch, pp_in_sync=True))
    return evolve(state, budget=FaultBudget((orch.ap, orch.pp), False, state.budget.exceeded))

