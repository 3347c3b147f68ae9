"""The synchronous set and the orchestrator's own record (issue 13 item 4).

design.md §2 acknowledges a write once the AP and the PP, a replica in
another region, both hold it: {AP, PP} is the smallest acknowledging set.
Real systems let that set shrink (an ISR that falls to the leader alone, a
semi-synchronous primary that falls back to asynchronous after a timeout);
here the AP may only wait, or the orchestrator replaces the PP (a new epoch,
election.replace_passive). Flaw `shrink-sync-set` lets the AP drop a lagging
PP and acknowledge alone.

design.md assumes the orchestrator reliable and linearisable. Its record,
the roles of every epoch and whether the current PP is in sync, lives in a
metadata store; flaw `orchestrator-loses-change` turns the assumption off in
one bounded way: the store loses its latest committed change once (the
record goes back to the one before the last new epoch), and failover then
runs on that older record. The safe design never promotes outside the
latest committed configuration (docs/model.md, "Synchronous set and the
orchestrator's record").
"""

from __future__ import annotations

from .algebra import NOT, OR, choose, require
from .records import evolve
from .replication import record_acks
from .seq import common, length, prefix
from .state import Orchestrator, State, acting, connected, with_replica


def shrink_sync_set(state: State) -> State:
    """The acting AP finds its PP lagging (cut off, down, or `pp_lag_limit`
    entries behind) and drops it from its synchronous set, acknowledging
    alone from then on, for the rest of the epoch.

    Refused in the safe design: {AP, PP in another region} is the smallest
    acknowledging set, so writes wait (or the PP is replaced, which starts a
    new epoch). Flaw `shrink-sync-set` allows it.
    """
    cfg, orch = state.config, state.orchestrator
    ap, pp = choose(orch.ap, cfg.replicas), choose(orch.pp, cfg.replicas)
    require(acting(state, ap), "no acting AP")
    require(NOT(orch.solo), "the AP already acknowledges alone")
    a, p = state.replicas[ap], state.replicas[pp]
    behind = length(a.log) - common(a.log, p.log)
    require(OR(NOT(connected(state, ap, pp)), behind >= cfg.pp_lag_limit),
            lambda: f"the PP {cfg.name_of(pp)} is reachable and fewer than {cfg.pp_lag_limit} entries behind")
    if not cfg.has("shrink-sync-set"):
        require(False, "the smallest acknowledging set is {AP, PP in another region}: "
                       "writes wait for the PP or the PP is replaced")
    return evolve(state, orchestrator=evolve(orch, solo=True))


def acknowledge_alone(state: State) -> State:
    """The acting AP whose synchronous set has shrunk to itself acknowledges
    its whole log (only reachable under flaw `shrink-sync-set`)."""
    cfg, orch = state.config, state.orchestrator
    ap = choose(orch.ap, cfg.replicas)
    require(acting(state, ap), "no acting AP")
    require(orch.solo, "the AP's synchronous set holds its PP: acknowledgement waits for the PP")
    rep = state.replicas[ap]
    upto = length(rep.log)
    require(upto > rep.commit, lambda: f"nothing to acknowledge past LSN {rep.commit}")
    return record_acks(with_replica(state, ap, evolve(rep, commit=upto)), ap, rep, rep.commit, upto)


def lose_orchestrator_change(state: State) -> State:
    """The orchestrator's metadata store loses its latest committed change:
    the record goes back to the roles before the last new epoch, with what
    that record said of its PP being in sync. At most once in a run.

    Refused in the safe design (design.md §2 assumes the orchestrator
    linearisable: a committed change is never lost). The replicas keep the
    epochs they were told; an emergency failover on the older record may
    then promote a PP that is no longer in sync, and start an epoch number
    that was already used.
    """
    cfg, orch = state.config, state.orchestrator
    if not cfg.has("orchestrator-loses-change"):
        require(False, "the orchestrator's store is linearisable: a committed change is never lost")
    require(length(orch.roles) >= 2, "the record has no older committed version to go back to")
    require(NOT(orch.lost_change), "the store has already lost its one change (the bound of this fault)")
    older = Orchestrator(prefix(orch.roles, length(orch.roles) - 1), orch.prev_in_sync,
                         prev_in_sync=False, lost_change=True)
    return evolve(state, orchestrator=older)
