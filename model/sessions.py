"""Reads and logical sessions with replica tokens (design.md §2, Reads and sessions)."""

from __future__ import annotations

from typing import Any

from .algebra import AND, EQ, ITE, NOT, OR, Refused, branch, choose, require
from .records import evolve
from .replication import catch_up
from .seq import at, prefix
from .state import (NULL_ENTRY, HandedOff, ReadServed, Session, State, Token, acting, connected, record,
                    with_session)


FOREIGN = "read-ignores-foreign-token"


def foreign_token(state: State, session: int, need: Any) -> Any:
    """Flaw `read-ignores-foreign-token` (issue 14): a replica behind the
    token asks the acting AP what its entry at the token's LSN is, and the
    token is foreign when that entry is not a write of the session in its
    current logical session (or the AP has none there): a token handed on
    by another session, and also one a read raised past the session's own
    writes. (No acting AP: not foreign, the pull is then unavailable.)"""
    sess = state.sessions[session]
    cases = []
    for a in state.config.replicas:
        e = at(state.replicas[a].log, need - 1, NULL_ENTRY)
        cases.append(AND(acting(state, a), NOT(AND(EQ(e.session, session), EQ(e.logical, sess.logical)))))
    return OR(*cases)


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
    Flaw `read-ignores-foreign-token`: no pull up to a token that names
    another session's write (`foreign_token`).
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
    elif cfg.has(FOREIGN):
        pull = AND(state.replicas[r].commit < need, NOT(foreign_token(state, session, need)))
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


def moved(state: State, sess: Session, replica: Any) -> Session:
    """The session routed to `replica` (issue 14, where the token lives).

    Knob `token_home`: "client" (the safe default) carries the token with the
    client, so the logical session goes on at the new datacenter, whose
    replica pulls up to the token at the next read; "datacenter" (the seeds'
    Graph API, seeds 000/001) caches it in the datacenter left behind, so
    the client starts a new logical session with an empty token (§2). Flaw
    `token-lost-on-move`: the logical session goes on, the token is lost.
    """
    if state.config.has("token-lost-on-move"):
        return Session(replica, Token(), sess.logical)
    if state.config.token_home == "datacenter":
        return Session(replica, Token(), sess.logical + 1)
    return Session(replica, sess.token, sess.logical)


def move_session(state: State, session: int, replica: int) -> State:
    """§2 sessions: the client is routed to another datacenter (see `moved`)."""
    cfg = state.config
    require(0 <= session < cfg.sessions, lambda: f"no session {session}")
    sess = state.sessions[session]
    require(NOT(EQ(sess.replica, replica)),
            lambda: f"session {session} already has affinity to {cfg.name_of(replica)}")
    return with_session(state, session, moved(state, sess, replica))


def hand_token(state: State, giver: int, receiver: int) -> State:
    """Issue 14, causal hand-off: session `giver` passes its replica token to
    session `receiver` (a service writes, then a user reads; an app hands its
    token to a worker). The receiver's token becomes the later of the two, so
    its next read pulls up to every write the giver's token covers. Flaw
    `hand-off-drops-token`: the receiver keeps its own token.
    """
    cfg = state.config
    require(0 <= giver < cfg.sessions and 0 <= receiver < cfg.sessions,
            lambda: f"no session {giver} or {receiver}")
    require(giver != receiver, lambda: f"session {giver} cannot hand its token to itself")
    give, take = state.sessions[giver], state.sessions[receiver]
    # a token that covers nothing new is not handed on (it would only stutter)
    require(give.token.lsn > take.token.lsn,
            lambda: f"session {giver}'s token is not ahead of session {receiver}'s: nothing to hand on")
    token = take.token if cfg.has("hand-off-drops-token") else give.token
    state = with_session(state, receiver, evolve(take, token=token))
    return record(state, HandedOff(giver, receiver, take.logical, give.token))

