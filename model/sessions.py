"""Reads and logical sessions with replica tokens (design.md §2, Reads and sessions)."""

from __future__ import annotations

from .actions import Rejected
from .records import evolve
from .replication import catch_up
from .state import ReadServed, Session, State, Token, acting_ap, connected, with_session


def _pull(state: State, session: int, replica: int, need: int) -> State | Rejected:
    """The synchronous pull of a lagging secondary from the AP up to the token."""
    cfg = state.config
    ap = acting_ap(state)
    if ap is None:
        return Rejected(f"read unavailable: {cfg.name_of(replica)} must pull, and no AP is serving")
    if state.replicas[ap].commit < need:
        return Rejected(f"read unavailable: the AP has committed only up to LSN {state.replicas[ap].commit}")
    if ap == replica:
        return state
    if not connected(state, ap, replica):
        return Rejected(f"read unavailable: {cfg.name_of(replica)} cannot reach the AP {cfg.name_of(ap)} to pull")
    if state.replicas[replica].commit >= need:
        return state
    pulled = catch_up(state, replica, ap, need)
    if isinstance(pulled, Rejected):
        return Rejected(f"read unavailable: {pulled.reason}")
    return pulled


def read(state: State, session: int) -> State | Rejected:
    """§2 reads: a session reads at its affinity replica.

    If the replica's commit point is behind the session's token it first
    pulls synchronously from the AP up to the token; if it cannot, the read
    is unavailable, never stale. The read returns the replica's committed
    prefix and the token moves up to it. Flaw `read-ignores-token`: no pull.
    Flaw `read-waits-for-primary`: every read pulls, even when not behind.
    """
    cfg = state.config
    if not 0 <= session < cfg.sessions:
        return Rejected(f"no session {session}")
    sess = state.sessions[session]
    r = sess.replica
    if not state.replicas[r].up:
        return Rejected(f"read unavailable: {cfg.name_of(r)} is down")
    need = sess.token.lsn
    behind = state.replicas[r].commit < need
    if cfg.has("read-waits-for-primary") or (behind and not cfg.has("read-ignores-token")):
        state = _pull(state, session, r, need)
        if isinstance(state, Rejected):
            return state
    rep = state.replicas[r]
    seen = rep.log[:rep.commit]
    token = sess.token
    if len(seen) > token.lsn:
        token = Token(seen[-1].epoch, len(seen))
    event = ReadServed(session, sess.logical, r, seen, sess.token)
    state = with_session(state, session, evolve(sess, token=token))
    return evolve(state, history=state.history + (event,))


def move_session(state: State, session: int, replica: int) -> State | Rejected:
    """§2 sessions: routed to another datacenter, the client starts a new
    logical session there, with its own (empty) token."""
    cfg = state.config
    if not 0 <= session < cfg.sessions:
        return Rejected(f"no session {session}")
    sess = state.sessions[session]
    if sess.replica == replica:
        return Rejected(f"session {session} already has affinity to {cfg.name_of(replica)}")
    return with_session(state, session, Session(replica, Token(), sess.logical + 1))
