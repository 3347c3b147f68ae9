"""bounded-write-unavailability (design.md §4, item 9), as a state predicate.

The model's failover is one orchestrator step, so the bound is 1: whenever
the AP is down or cut off while the PP is up, in sync, with the current
epoch, and some replica can serve as the new PP, the emergency failover to
the first such replica is enabled (and the promoted PP, up and AP of the
new epoch, takes writes right after it: start_epoch makes it so). And a
read at an up replica whose commit point covers the session token is always
served. "Enabled" is the step's own guard (`allows`), so the property reads
the protocol, not a copy of it.
"""

from __future__ import annotations

from typing import Any

from dirproof.model import EmergencyFailover, Read, State
from dirproof.model.algebra import ALL, AND, EQ, IMPLIES, NOT, apart, check, choose
from dirproof.model.election import ap_lost, passive_ok, why_ap_lost
from dirproof.model.next import allows

from .monitors import Ghost

FAILOVER_STEPS = 1


def _writes_come_back(state: State) -> Any:
    cfg, orch = state.config, state.orchestrator
    ap, pp = choose(orch.ap, cfg.replicas), choose(orch.pp, cfg.replicas)
    cand = state.replicas[pp]
    premise = AND(ap_lost(state, ap, pp), cand.up, EQ(cand.epoch, orch.epoch), orch.pp_in_sync)
    if premise is False:  # a concrete run with the AP serving: nothing to check (IMPLIES(False, x))
        return True
    out = []
    for c in cfg.replicas:
        first = AND(passive_ok(state, pp, c), *(NOT(passive_ok(state, pp, b)) for b in cfg.replicas if b < c))
        if first is False:  # not the replica the failover would pick, in a concrete run
            continue
        allowed = allows(state, EmergencyFailover(pp, c))
        out.append(check(IMPLIES(AND(premise, first), allowed),
                         lambda allowed=allowed: f"{why_ap_lost(state)}, the PP {cfg.name_of(pp)} is up, yet no "
                                                 f"failover within {FAILOVER_STEPS} orchestrator step: "
                                                 f"{getattr(allowed, 'message', allowed)}"))
    return ALL(out)


def _read_served(state: State, s: int) -> Any:
    sess = state.sessions[s]
    r = choose(sess.replica, state.config.replicas)
    rep = state.replicas[r]
    covered = AND(rep.up, rep.commit >= sess.token.lsn)
    if covered is False:  # a concrete run: the read may be refused, nothing to check
        return True
    allowed = allows(state, Read(s))
    return check(IMPLIES(covered, allowed),
                 lambda: f"session {s} at {state.config.name_of(r)} covers its token (LSN {sess.token.lsn}) "
                         f"yet the read is refused: {getattr(allowed, 'message', allowed)}")


def bounded_write_unavailability(state: State, ghost: Ghost) -> Any:
    """Writes come back within one orchestrator step after the AP is lost
    (PP up and a new PP available); covered reads are always served."""
    return ALL((apart(lambda: _writes_come_back(state)),
                *(apart(lambda s=s: _read_served(state, s)) for s in range(state.config.sessions))))
