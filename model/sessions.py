"""Reads and logical sessions with replica tokens (design.md §2, Reads and sessions)."""

from __future__ import annotations

from typing import Any

from .algebra import EQ, ITE, NOT, Refused, branch, choose, require
from .records import evolve
from .replication import catch_up
from .seq import at, prefix
from .state import NULL_ENTRY, ReadServed, Session, State, Token, acting, connected, record, with_session


def _pull(state: State, replica: int, need: Any) -> State:
    """The synchronous pull of a lagging secondary from the AP up to the token."""
    cfg = state.config
    name = cfg.name_of(replica)
    ap = choose(state.orchestrator.ap, cfg.replicas)
    require(acting(state, ap), lambda: f"read unavailable: {name} must pull, and no AP is serving")
    committed = state.replicas[ap].commit
    require(committed >= need, lambda: f"read unavailable: the AP has committed only up to LSN {committed}")
    if ap == replica:
        return state
    require(connected(state, ap, replica),
            lambda: f"read unavailable: {name} cannot reach the AP {cfg.name_of(ap)} to pull")
    if branch(state.replicas[replica].commit >= need):
        return state
    try:
        return catch_up(state, replica, ap, need)
    except Refused as refused:
        raise Refused(f"read unavailable: {refused.reason}") from None


def read(state: State, session: int) -> State:
    """§2 reads: a session reads at its affinity replica.

    If the replica's commit point is behind the session's token it first
    pulls synchronously from the AP up to the token; if it cannot, the read
    is unavailable, never stale. The read returns the replica's committed
    prefix and the token moves up to it. Flaw `read-ignores-token`: no pull.
    Flaw `read-waits-for-primary`: every read pulls, even when not behind.
    """
    cfg = state.config
    require(0 <= session < cfg.sessions, lambda: f"no session {session}")
    sess = state.sessions[session]
    r = choose(sess.replica, cfg.replicas)
    require(state.replicas[r].up, lambda: f"read unavailable: {cfg.name_of(r)} is down")
    need = sess.token.lsn
    if cfg.has("read-waits-for-primary"):
        pull: Any = True
    elif cfg.has("read-ignores-token"):
        pull = False
    else:
        pull = state.replicas[r].commit < need
    if branch(pull):
        state = _pull(state, r, need)
    rep = state.replicas[r]
    seen = prefix(rep.log, rep.commit)
    newest = at(rep.log, rep.commit - 1, NULL_ENTRY)
    token = ITE(rep.commit > need, Token(newest.epoch, rep.commit), sess.token)
    state = with_session(state, session, evolve(sess, token=token))
    return record(state, ReadServed(session, sess.logical, r, seen, sess.token))


def move_session(state: State, session: int, replica: int) -> State:
    """§2 sessions: routed to another datacenter, the client starts a new
    logical session there, with its own (empty) token."""
    cfg = state.config
    require(0 <= session < cfg.sessions, lambda: f"no session {session}")
    sess = state.sessions[session]
    require(NOT(EQ(sess.replica, replica)),
            lambda: f"session {session} already has affinity to {cfg.name_of(replica)}")
    return with_session(state, session, Session(replica, Token(), sess.logical + 1))

