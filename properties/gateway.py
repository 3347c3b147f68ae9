"""reads-survive-datacenter-loss (issue 15; design.md §8), as a state predicate.

The seeds (000, 002): the gateway's transactional health probes route
traffic around unhealthy datacenters; time to detect < 5 minutes. Modelled
as a bounded number of steps: a datacenter is marked unhealthy after
`Config.probe_failures` failed probes (and healthy again after one good
probe), so within that many probe steps of a change the gateway's marks
agree with the datacenters ("detection has run"). From then on, when a
session's datacenter is down and some up replica covers its token, the
gateway's reroute is enabled within one step and sends the session to an
up replica that covers the token, where a read is always served
(bounded-write-unavailability, its read half). "Enabled" is the step's own
guard (`allows`) and the target is the step's own choice (`route_target`),
so the property reads the protocol, not a copy of it.
"""

from __future__ import annotations

from typing import Any

from dirproof.model import Reroute, State
from dirproof.model.algebra import ALL, AND, ANY, EQ, IMPLIES, NOT, apart, check, choose
from dirproof.model.gateway import healthy, route_target
from dirproof.model.next import allows

from .monitors import Ghost

REROUTE_STEPS = 1  # after detection, the gateway moves the session in one step


def detected(state: State) -> Any:
    """The gateway's marks agree with the datacenters: detection has run."""
    return ALL(EQ(healthy(state, c), state.replicas[c].up) for c in state.config.replicas)


def _covers(state: State, c: int, need: Any) -> Any:
    rep = state.replicas[c]
    return AND(rep.up, rep.commit >= need)


def lost_and_covered(state: State, s: int) -> Any:
    """The premise: detection has run, session s's datacenter is down, and
    another up replica covers its token."""
    cfg = state.config
    sess = state.sessions[s]
    aff = choose(sess.replica, cfg.replicas)
    down = NOT(state.replicas[aff].up)
    if down is False:  # a concrete run with the datacenter up: AND(..., False, ...) without the rest
        return False
    return AND(detected(state), down, ANY(_covers(state, c, sess.token.lsn) for c in cfg.replicas if c != aff))


def _survives(state: State, s: int) -> Any:
    cfg = state.config
    sess = state.sessions[s]
    aff = choose(sess.replica, cfg.replicas)
    need = sess.token.lsn
    premise = lost_and_covered(state, s)
    if premise is False:  # a concrete run: the datacenter serves or nothing covers the token
        return True
    allowed = allows(state, Reroute(s))
    target = route_target(state, s)
    good = ANY(AND(EQ(target, c), _covers(state, c, need)) for c in cfg.replicas)
    return check(IMPLIES(premise, AND(allowed, good)),
                 lambda: f"{cfg.name_of(aff)} is down and the gateway has detected it, some up replica covers "
                         f"session {s}'s token (LSN {need}), yet the session is not rerouted to one within "
                         f"{REROUTE_STEPS} gateway step: {getattr(allowed, 'message', 'the gateway picks ' + str(target))}")


def reads_survive_datacenter_loss(state: State, ghost: Ghost) -> Any:
    """Once the probes have detected a lost datacenter, a session whose
    datacenter it was is rerouted within one gateway step to an up replica
    covering its token, whenever there is one."""
    return ALL(apart(lambda s=s: _survives(state, s)) for s in range(state.config.sessions))
