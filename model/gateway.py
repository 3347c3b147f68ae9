"""The gateway and its health probes (issue 15; design.md §8; seeds 000, 002).

The gateway sends each session's reads to the session's affinity datacenter
while its probes find it healthy. A probe of a datacenter whose replica is
down counts one more consecutive failure; at `Config.probe_failures`
failures (the seeds: detection in under 5 minutes, so a bounded number of
probes) the datacenter is marked unhealthy, and one successful probe puts it
back. A session whose datacenter is marked unhealthy is rerouted to a
healthy one (a move: the token goes with it or stays behind, by
`Config.token_home`, model/sessions.py `moved`).
"""

from __future__ import annotations

from typing import Any

from .algebra import AND, EQ, ITE, MIN, NOT, choose, require
from .records import evolve
from .sessions import moved
from .state import State, with_session


def healthy(state: State, r: int) -> Any:
    """The gateway routes to datacenter r (fewer failed probes than the threshold)."""
    return state.missed[r] < state.config.probe_failures


def probe(state: State, replica: int) -> State:
    """One transactional health probe of `replica`'s datacenter: a success
    resets the count of failures, a failure adds one (kept at the threshold).
    A probe that changes nothing is not a step (it would only stutter)."""
    cfg = state.config
    m = state.missed[replica]
    new = ITE(state.replicas[replica].up, 0, MIN(m + 1, cfg.probe_failures))
    require(NOT(EQ(new, m)), lambda: f"a probe of {cfg.name_of(replica)} finds nothing new")
    missed = state.missed
    return evolve(state, missed=missed[:replica] + (new,) + missed[replica + 1:])


def route_target(state: State, session: int) -> Any:
    """Where the gateway sends the session's reads: its affinity datacenter
    while it is healthy; else the first healthy datacenter whose replica
    covers the session's token (the token travels with the request: decided
    here, docs/model.md), else the first healthy one (its replica pulls from
    the AP), else the affinity (nowhere better). Flaw
    `gateway-ignores-probes`: always the affinity."""
    cfg = state.config
    sess = state.sessions[session]
    aff = choose(sess.replica, cfg.replicas)
    if cfg.has("gateway-ignores-probes"):
        return aff
    target: Any = aff
    for c in reversed(cfg.replicas):
        target = ITE(healthy(state, c), c, target)
    for c in reversed(cfg.replicas):
        target = ITE(AND(healthy(state, c), state.replicas[c].commit >= sess.token.lsn), c, target)
    return ITE(healthy(state, aff), aff, target)


def reroute(state: State, session: int) -> State:
    """The gateway moves a session away from a datacenter marked unhealthy
    to the datacenter `route_target` names."""
    cfg = state.config
    require(0 <= session < cfg.sessions, lambda: f"no session {session}")
    sess = state.sessions[session]
    aff = choose(sess.replica, cfg.replicas)
    target = route_target(state, session)
    require(NOT(EQ(target, aff)), lambda: f"the gateway keeps session {session} at {cfg.name_of(aff)} ({_why_kept(state, aff)})")
    return with_session(state, session, moved(state, sess, target))


def _why_kept(state: State, aff: int) -> str:
    if healthy(state, aff):
        return "its probes find it healthy"
    if state.config.has("gateway-ignores-probes"):
        return "it ignores its probes"
    return "no datacenter is healthy"
