"""Failover, the leader election of design.md §2: the orchestrator's steps.

Every failover starts a new epoch `e + 1` with a new `(AP, PP)` pair. The
new PP is resynchronised at once (it adopts the epoch and drops what the new
AP lacks); it then copies the AP's whole log by replicate_to_passive before
anything new is acknowledged.
"""

from __future__ import annotations

from typing import Any, Optional

from .algebra import AND, EQ, NOT, OR, choose, require
from .records import evolve
from .replication import rejoin_log, synced
from .seq import append, length, same
from .state import (FailedOver, Orchestrator, Replica, State, Token, acting, connected, linked, record,
                    with_replica)


def ap_lost(state: State, ap: int, pp: int) -> Any:
    """The orchestrator sees the AP `ap` (with PP `pp`) as down or cut off."""
    a, p = state.replicas[ap], state.replicas[pp]
    return OR(NOT(a.up), NOT(EQ(a.epoch, state.orchestrator.epoch)), AND(p.up, NOT(linked(state, ap, pp))))


def why_ap_lost(state: State) -> Optional[str]:
    """In words, why the orchestrator sees the AP as lost (a concrete state)."""
    cfg, orch = state.config, state.orchestrator
    a, p = state.replicas[orch.ap], state.replicas[orch.pp]
    name = cfg.name_of(orch.ap)
    if not a.up:
        return f"the AP {name} is down"
    if a.epoch != orch.epoch:
        return f"the AP {name} lost its state"
    if p.up and not linked(state, orch.ap, orch.pp):
        return f"the AP {name} is cut off from the PP"
    return None


def passive_conditions(state: State, ap: int, new_pp: int) -> list[tuple[Any, Any]]:
    """When `new_pp` may be the PP beside `ap`, clause by clause with the
    reason a refusal gives: another up replica that `ap` can reach, in a
    different region (flaw `pp-same-region` lifts the region rule)."""
    cfg = state.config
    name = cfg.name_of(new_pp)
    same_region = cfg.region_of(new_pp) == cfg.region_of(ap)
    return [(new_pp != ap, lambda: f"{name} cannot be both AP and PP"),
            (connected(state, ap, new_pp), lambda: f"{name} is down or cut off from {cfg.name_of(ap)}"),
            (not same_region or cfg.has("pp-same-region"),
             lambda: f"{name} is in the AP's region {cfg.regions[cfg.region_of(ap)]}")]


def passive_ok(state: State, ap: int, new_pp: int) -> Any:
    return AND(*(c for c, _ in passive_conditions(state, ap, new_pp)))


def require_passive(state: State, ap: int, new_pp: int) -> None:
    for condition, reason in passive_conditions(state, ap, new_pp):
        require(condition, reason)


def start_epoch(state: State, kind: str, ap: int, pp: int, new_pp_rejoins: bool) -> State:
    """Install `(ap, pp)` as the roles of epoch e + 1 and tell both; the
    new AP flushes its log (§6).

    Flaw `token-reset-on-failover`: every session token is renumbered to
    `(e + 1, 0)`.
    """
    orch = state.orchestrator
    epoch = orch.epoch + 1
    # (the record superseded here is what a store losing this change goes back
    # to, model/sync_set.py; a new epoch starts with its full acknowledging set)
    state = evolve(state, orchestrator=Orchestrator(append(orch.roles, (ap, pp)), not new_pp_rejoins,
                                                    prev_in_sync=orch.pp_in_sync, lost_change=orch.lost_change))
    new_ap = state.replicas[ap]
    # §6 (decided): starting an epoch is a write to the new AP's disk, which
    # flushes its log with it
    state = with_replica(state, ap, evolve(new_ap, epoch=epoch, flushed=length(new_ap.log)))
    old = state.replicas[pp]
    if new_pp_rejoins:
        state = with_replica(state, pp, rejoin_log(state, old, new_ap.log, epoch))
    else:
        state = with_replica(state, pp, evolve(old, epoch=epoch))
    if state.config.has("token-reset-on-failover"):
        state = evolve(state, sessions=tuple(evolve(s, token=Token(epoch, 0)) for s in state.sessions))
    return record(state, FailedOver(kind, epoch, ap, pp))


def emergency_failover(state: State, new_ap: int, new_pp: int) -> State:
    """§2 emergency failover: the AP is down or cut off; promote the PP.

    The PP must be up and hold the current epoch (a PP that lost its disk
    cannot be promoted: writes stay unavailable, acknowledged data is never
    given up), and it must be in sync: a PP installed by an earlier failover
    that has not yet copied its AP's log holds less than was acknowledged.
    Flaw `promote-any-secondary`: any up replica may be promoted. Flaw
    `promote-unsynced-pp`: the in-sync check is skipped. Flaw
    `failover-waits-for-old-ap`: the orchestrator waits for the old AP to
    hand over, so an emergency failover never happens.
    """
    cfg, orch = state.config, state.orchestrator
    ap, pp = choose(orch.ap, cfg.replicas), choose(orch.pp, cfg.replicas)
    require(ap_lost(state, ap, pp),
            lambda: f"the AP {cfg.name_of(ap)} is up and reaches its PP: no emergency failover")
    if cfg.has("failover-waits-for-old-ap"):
        require(False, lambda: f"{why_ap_lost(state)}: the orchestrator waits for it to hand over")
    name = cfg.name_of(new_ap)
    require(new_ap != ap, lambda: f"{name} is the AP being replaced")
    cand = state.replicas[new_ap]
    require(cand.up, lambda: f"{name} is down")
    if not cfg.has("promote-any-secondary"):
        require(new_ap == pp, lambda: f"only the PP {cfg.name_of(pp)} may be promoted, not {name}")
        require(EQ(cand.epoch, orch.epoch), lambda: f"the PP {name} lost its state: writes stay unavailable")
        if not cfg.has("promote-unsynced-pp"):
            require(orch.pp_in_sync,
                    lambda: f"the PP {name} has not caught up since it was installed: writes stay unavailable")
    require_passive(state, new_ap, new_pp)
    return start_epoch(state, "emergency", new_ap, new_pp, new_pp_rejoins=True)


def planned_failover(state: State) -> State:
    """§2 planned failover: AP and caught-up PP swap roles in epoch e + 1.

    The AP stops taking writes and the PP catches up (replicate_to_passive)
    first; the swap is allowed only once the PP holds the AP's whole log.
    """
    cfg, orch = state.config, state.orchestrator
    ap, pp = choose(orch.ap, cfg.replicas), choose(orch.pp, cfg.replicas)
    a, p = state.replicas[ap], state.replicas[pp]
    require(AND(EQ(a.epoch, orch.epoch), EQ(p.epoch, orch.epoch)), "AP and PP must both hold the current epoch")
    require(connected(state, ap, pp),
            lambda: f"the AP {cfg.name_of(ap)} and the PP {cfg.name_of(pp)} cannot talk")
    require(same(p.log, a.log), lambda: f"the PP holds {len(p.log)} of the AP's {len(a.log)} entries: "
                                        "it must catch up first")
    state = start_epoch(state, "planned", pp, ap, new_pp_rejoins=False)
    both = Replica(True, state.orchestrator.epoch, a.log, a.commit, length(a.log))  # the handover flushes (§6)
    return synced(with_replica(with_replica(state, pp, both), ap, both))


def replace_passive(state: State, new_pp: int) -> State:
    """§2 (decided here): the AP stays and a down or cut-off PP is replaced.

    A new epoch fences the old PP off; the new PP resynchronises as after a
    failover.
    """
    cfg, orch = state.config, state.orchestrator
    ap, pp = choose(orch.ap, cfg.replicas), choose(orch.pp, cfg.replicas)
    require(acting(state, ap), lambda: f"the AP {cfg.name_of(ap)} is not serving: use an emergency failover")
    require(NOT(connected(state, ap, pp)),
            lambda: f"the PP {cfg.name_of(pp)} is up and reachable: nothing to replace")
    require_passive(state, ap, new_pp)
    return start_epoch(state, "replace-passive", ap, new_pp, new_pp_rejoins=True)
