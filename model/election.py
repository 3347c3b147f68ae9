"""Failover, the leader election of design.md §2: the orchestrator's steps.

Every failover starts a new epoch `e + 1` with a new `(AP, PP)` pair. The
new PP is resynchronised at once (it adopts the epoch and drops what the new
AP lacks); it then copies the AP's whole log by replicate_to_passive before
anything new is acknowledged.
"""

from __future__ import annotations

from .actions import Rejected
from .records import evolve
from .replication import rejoin_log, synced
from .state import FailedOver, Orchestrator, Replica, State, Token, connected, linked, with_replica


def ap_unavailable(state: State) -> str | None:
    """Why the orchestrator sees the AP as down or cut off, or None."""
    cfg, orch = state.config, state.orchestrator
    ap, pp = state.replicas[orch.ap], state.replicas[orch.pp]
    if not ap.up:
        return f"the AP {cfg.name_of(orch.ap)} is down"
    if ap.epoch != orch.epoch:
        return f"the AP {cfg.name_of(orch.ap)} lost its state"
    if pp.up and not linked(state, orch.ap, orch.pp):
        return f"the AP {cfg.name_of(orch.ap)} is cut off from the PP"
    return None


def passive_refusal(state: State, ap: int, new_pp: int) -> str | None:
    """Why `new_pp` cannot be the PP beside `ap`, or None.

    It must be another up replica that `ap` can reach, in a different region
    (flaw `pp-same-region` lifts the region rule).
    """
    cfg = state.config
    if new_pp == ap:
        return f"{cfg.name_of(new_pp)} cannot be both AP and PP"
    if not connected(state, ap, new_pp):
        return f"{cfg.name_of(new_pp)} is down or cut off from {cfg.name_of(ap)}"
    if cfg.region_of(new_pp) == cfg.region_of(ap) and not cfg.has("pp-same-region"):
        return f"{cfg.name_of(new_pp)} is in the AP's region {cfg.regions[cfg.region_of(ap)]}"
    return None


def start_epoch(state: State, kind: str, ap: int, pp: int, new_pp_rejoins: bool) -> State:
    """Install `(ap, pp)` as the roles of epoch e + 1 and tell both.

    Flaw `token-reset-on-failover`: every session token is renumbered to
    `(e + 1, 0)`.
    """
    orch = state.orchestrator
    epoch = orch.epoch + 1
    in_sync = not new_pp_rejoins
    state = evolve(state, orchestrator=Orchestrator(orch.roles + ((ap, pp),), in_sync))
    new_ap = state.replicas[ap]
    state = with_replica(state, ap, evolve(new_ap, epoch=epoch))
    old = state.replicas[pp]
    if new_pp_rejoins:
        state = with_replica(state, pp, rejoin_log(state, old, new_ap.log, epoch))
    else:
        state = with_replica(state, pp, evolve(old, epoch=epoch))
    if state.config.has("token-reset-on-failover"):
        state = evolve(state, sessions=tuple(
            evolve(s, token=Token(epoch, 0)) for s in state.sessions))
    return evolve(state, history=state.history + (FailedOver(kind, epoch, ap, pp),))


def emergency_failover(state: State, new_ap: int, new_pp: int) -> State | Rejected:
    """§2 emergency failover: the AP is down or cut off; promote the PP.

    The PP must be up and hold the current epoch (a PP that lost its disk
    cannot be promoted: writes stay unavailable, acknowledged data is never
    given up), and it must be in sync: a PP installed by an earlier failover
    that has not yet copied its AP's log holds less than was acknowledged.
    Flaw `promote-any-secondary`: any up replica may be promoted. Flaw
    `promote-unsynced-pp`: the in-sync check is skipped. Flaw `failover-waits-for-old-ap`: the orchestrator waits for
    the old AP to hand over, so an emergency failover never happens.
    """
    cfg, orch = state.config, state.orchestrator
    why = ap_unavailable(state)
    if why is None:
        return Rejected(f"the AP {cfg.name_of(orch.ap)} is up and reaches its PP: no emergency failover")
    if cfg.has("failover-waits-for-old-ap"):
        return Rejected(f"{why}: the orchestrator waits for it to hand over")
    if new_ap == orch.ap:
        return Rejected(f"{cfg.name_of(new_ap)} is the AP being replaced")
    cand = state.replicas[new_ap]
    if not cand.up:
        return Rejected(f"{cfg.name_of(new_ap)} is down")
    if not cfg.has("promote-any-secondary"):
        if new_ap != orch.pp:
            return Rejected(f"only the PP {cfg.name_of(orch.pp)} may be promoted, not {cfg.name_of(new_ap)}")
        if cand.epoch != orch.epoch:
            return Rejected(f"the PP {cfg.name_of(new_ap)} lost its state: writes stay unavailable")
        if not orch.pp_in_sync and not cfg.has("promote-unsynced-pp"):
            return Rejected(f"the PP {cfg.name_of(new_ap)} has not caught up since it was installed: "
                            "writes stay unavailable")
    why_pp = passive_refusal(state, new_ap, new_pp)
    if why_pp:
        return Rejected(why_pp)
    return start_epoch(state, "emergency", new_ap, new_pp, new_pp_rejoins=True)


def planned_failover(state: State) -> State | Rejected:
    """§2 planned failover: AP and caught-up PP swap roles in epoch e + 1.

    The AP stops taking writes and the PP catches up (replicate_to_passive)
    first; the swap is allowed only once the PP holds the AP's whole log.
    """
    cfg, orch = state.config, state.orchestrator
    ap, pp = state.replicas[orch.ap], state.replicas[orch.pp]
    if ap.epoch != orch.epoch or pp.epoch != orch.epoch:
        return Rejected("AP and PP must both hold the current epoch")
    if not connected(state, orch.ap, orch.pp):
        return Rejected(f"the AP {cfg.name_of(orch.ap)} and the PP {cfg.name_of(orch.pp)} cannot talk")
    if pp.log != ap.log:
        return Rejected(f"the PP holds {len(pp.log)} of the AP's {len(ap.log)} entries: it must catch up first")
    state = start_epoch(state, "planned", orch.pp, orch.ap, new_pp_rejoins=False)
    both = Replica(True, state.orchestrator.epoch, ap.log, ap.commit)
    return synced(with_replica(with_replica(state, orch.pp, both), orch.ap, both))


def replace_passive(state: State, new_pp: int) -> State | Rejected:
    """§2 (decided here): the AP stays and a down or cut-off PP is replaced.

    A new epoch fences the old PP off; the new PP resynchronises as after a
    failover.
    """
    cfg, orch = state.config, state.orchestrator
    ap = state.replicas[orch.ap]
    if not ap.up or ap.epoch != orch.epoch:
        return Rejected(f"the AP {cfg.name_of(orch.ap)} is not serving: use an emergency failover")
    if connected(state, orch.ap, orch.pp):
        return Rejected(f"the PP {cfg.name_of(orch.pp)} is up and reachable: nothing to replace")
    why = passive_refusal(state, orch.ap, new_pp)
    if why:
        return Rejected(why)
    return start_epoch(state, "replace-passive", orch.ap, new_pp, new_pp_rejoins=True)
