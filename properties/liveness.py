"""bounded-write-unavailability (design.md §4, item 9), as state predicates.

The model's failover is one orchestrator step, so the bound is 1: whenever
the AP is down or cut off while the PP is up, in sync, with the current
epoch, and some replica can serve as the new PP, an emergency failover is enabled and the
promoted PP takes writes right after it. And a read at an up replica whose
commit point covers the session token is always served.
"""

from __future__ import annotations

from typing import Optional

from dirproof.model import Rejected, State, believes_ap, emergency_failover, read
from dirproof.model.election import ap_unavailable, passive_refusal

FAILOVER_STEPS = 1


def _writes_come_back(state: State) -> Optional[str]:
    cfg, orch = state.config, state.orchestrator
    down = ap_unavailable(state)
    pp = state.replicas[orch.pp]
    if down is None or not pp.up or pp.epoch != orch.epoch or not orch.pp_in_sync:
        return None
    cands = [r for r in cfg.replicas if passive_refusal(state, orch.pp, r) is None]
    if not cands:
        return None
    nxt = emergency_failover(state, orch.pp, cands[0])
    if isinstance(nxt, Rejected):
        return (f"{down}, the PP {cfg.name_of(orch.pp)} is up, yet no failover within "
                f"{FAILOVER_STEPS} orchestrator step: {nxt.reason}")
    if not believes_ap(nxt, orch.pp):
        return f"after the failover the new AP {cfg.name_of(orch.pp)} does not take writes"
    return None


def _reads_served(state: State) -> Optional[str]:
    for s, sess in enumerate(state.sessions):
        rep = state.replicas[sess.replica]
        if rep.up and rep.commit >= sess.token.lsn:
            got = read(state, s)
            if isinstance(got, Rejected):
                return (f"session {s} at {state.config.name_of(sess.replica)} covers its token "
                        f"(LSN {sess.token.lsn}) yet the read is refused: {got.reason}")
    return None


def bounded_write_unavailability(state: State) -> Optional[str]:
    """Writes come back within one orchestrator step after the AP is lost
    (PP up and a new PP available); covered reads are always served."""
    return _writes_come_back(state) or _reads_served(state)
