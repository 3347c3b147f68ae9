"""Durability on disk and the client's retry (design.md §6; issue 13, items 1 and 3).

Each replica has a flushed point (`Replica.flushed`): the entries up to it
are on its disk, those past it only in memory. `flush` writes them out; the
AP flushes what it ships to its PP and the PP flushes what it confirms
(replication.replicate_to_passive, knob `ack_waits_for`); a clean crash
(faults.crash) flushes first; `crash_unclean` loses the unflushed suffix.
A client whose wait for an acknowledgement timed out may send its write
again (`retry_write`): only the PP's confirmation answers it.
"""

from __future__ import annotations

from typing import Any

from .algebra import AND, ANY, EQ, NOT, MIN, require
from .records import SYSTEM, evolve
from .replication import record_acks
from .seq import items, length, prefix
from .state import Replica, State, acting, with_replica


def flush(state: State, replica: int) -> State:
    """§6: the replica writes the entries it holds in memory to its disk."""
    rep = state.replicas[replica]
    name = state.config.name_of(replica)
    require(rep.up, lambda: f"{name} is down")
    require(rep.flushed < length(rep.log), lambda: f"{name} has nothing to flush: its whole log is on disk")
    return with_replica(state, replica, evolve(rep, flushed=length(rep.log)))


def crash_unclean(state: State, replica: int) -> State:
    """§6 unclean crash (a power loss): the replica stops and loses the
    entries past its flushed point; it keeps the epoch it has seen and its
    commit point (cut to what it still holds). A PP that lost entries is no
    longer in sync: the orchestrator does not promote it until it has
    copied its AP's log again (decided in §6)."""
    rep = state.replicas[replica]
    require(rep.up, lambda: f"{state.config.name_of(replica)} is already down")
    kept = prefix(rep.log, rep.flushed)
    state = with_replica(state, replica, Replica(False, rep.epoch, kept, MIN(rep.commit, rep.flushed), rep.flushed))
    orch = state.orchestrator
    lost_some = rep.flushed < length(rep.log)
    in_sync = AND(orch.pp_in_sync, NOT(AND(EQ(orch.pp, replica), lost_some)))
    return evolve(state, orchestrator=evolve(orch, pp_in_sync=in_sync))


def pending_writes(state: State, at: int, session: int) -> list[tuple[Any, Any]]:
    """(condition, entry) for each entry of `session`'s current logical
    session in `at`'s log past its commit point: writes still waiting."""
    rep, sess = state.replicas[at], state.sessions[session]
    return [(AND(present, EQ(e.session, session), EQ(e.logical, sess.logical)), e)
            for present, _, e in items(rep.log, rep.commit)]


def retry_write(state: State, at: int, session: int) -> State:
    """§6: a client whose wait timed out (or was cancelled) sends its write
    again; the gateway routes it to the orchestrator's AP (decided here: a
    deposed AP is not asked), which finds the entry already in its log,
    waiting for its PP.
    The safe design answers it only with the PP's confirmation, which is
    `acknowledge`: the retry itself appends nothing and answers nothing
    (refused). Flaw `ack-retry-from-local-log`: the AP acknowledges the
    waiting entries of the session at once, from its own log."""
    cfg = state.config
    name = cfg.name_of(at)
    require(session != SYSTEM and 0 <= session < cfg.sessions, lambda: f"no session {session}")
    require(acting(state, at), lambda: f"{name} is not the acting AP: the gateway routes the retry to the AP")
    waiting = pending_writes(state, at, session)
    require(ANY(c for c, _ in waiting), lambda: f"no write of session {session} is waiting at {name}")
    require(cfg.has("ack-retry-from-local-log"),
            lambda: f"the write of session {session} waits at {name} for the PP's confirmation: "
                    "only acknowledge answers it")
    rep = state.replicas[at]
    return record_acks(state, at, rep, rep.commit, length(rep.log), only=session)
