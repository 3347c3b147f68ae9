"""The faults the model injects (design.md §2, Faults the model injects).

Message delay is the interleaving of steps itself; these are the rest.
"""

from __future__ import annotations

from typing import Any

from .algebra import AND, ANY, COUNT, EQ, ITE, MAX, MIN, NOT, OR, branch, choose, require
from .election import start_epoch
from .records import evolve
from .seq import items, length, prefix
from .state import FaultBudget, Replica, State, acting, believes_ap, connected, pair_index, with_replica

LOST = Replica(False, 0, (), 0, 0)  # a replica whose disk is gone


def crash(state: State, replica: int) -> State:
    """A clean crash (a shutdown): the replica flushes its log and stops;
    the log survives. An unclean one is durable.crash_unclean (§6)."""
    rep = state.replicas[replica]
    require(rep.up, lambda: f"{state.config.name_of(replica)} is already down")
    return with_replica(state, replica, evolve(rep, up=False, flushed=length(rep.log)))


def recover(state: State, replica: int) -> State:
    """A crashed replica restarts with the log, epoch and commit point its
    disk holds (§6): it truncates nothing. Its log is a prefix of the
    current AP's when its epoch is current (the AP ships only what it has
    flushed, so it never lost what another replica holds), and a replica
    whose epoch is behind truncates its divergent suffix when it rejoins,
    by comparing its log with the AP's. A restarted AP keeps the entries its
    PP never confirmed pending: past its commit point, invisible to reads,
    and the PP's confirmation commits them (knob `restart_unconfirmed =
    "truncate"`: it drops them and starts a new epoch, drop_unconfirmed). Flaw `restart-truncates-to-commit`: any
    replica truncates its log to its own commit point, which is stale on a
    PP or a secondary. Flaw `restart-exposes-unconfirmed`: a restarted AP
    commits its whole log."""
    cfg = state.config
    rep = state.replicas[replica]
    require(NOT(rep.up), lambda: f"{cfg.name_of(replica)} is already up")
    rep = evolve(rep, up=True)
    if cfg.has("restart-truncates-to-commit"):
        rep = evolve(rep, log=prefix(rep.log, rep.commit), flushed=MIN(rep.flushed, rep.commit))
    state = with_replica(state, replica, rep)
    ap = believes_ap(state, replica)
    if cfg.has("restart-truncates-inherited"):  # the first truncate rule: names reused (docs/model.md)
        state = with_replica(state, replica, _cut(rep, keep_on_restart(cfg, rep, ap)))
    elif cfg.restart_unconfirmed == "truncate":
        state = drop_unconfirmed(state, replica)
    if cfg.has("restart-exposes-unconfirmed"):
        rep = state.replicas[replica]
        state = with_replica(state, replica, evolve(rep, commit=ITE(ap, length(rep.log), rep.commit)))
    return state


def _cut(rep: Replica, keep: Any) -> Replica:
    log = prefix(rep.log, keep)
    return evolve(rep, log=log, flushed=MIN(rep.flushed, length(log)))


def drop_unconfirmed(state: State, replica: int) -> State:
    """Knob `restart_unconfirmed = "truncate"` (issue 13, decided): the
    restarted acting AP drops the entries its PP never confirmed
    (keep_on_restart) and, so that it never numbers a new write with the
    name of an entry it dropped (which its PP may still hold), the
    orchestrator starts epoch e + 1 with the same AP and PP before the AP
    takes a write (election.start_epoch, kind "restart"): the PP adopts it at
    once and drops what the AP dropped, as a new PP does; a PP in sync stays
    in sync (it still holds a prefix of the AP's log and every acknowledged
    entry). An AP that drops nothing, cannot reach its PP (the epoch would
    leave the PP behind it), or has been deposed, keeps its log as under
    "keep": its entries stay pending, and a deposed AP's are cut when it
    rejoins."""
    cfg, orch = state.config, state.orchestrator
    rep = state.replicas[replica]
    keep = keep_on_restart(cfg, rep, True)
    pp = choose(orch.pp, cfg.replicas)
    if branch(AND(acting(state, replica), keep < length(rep.log), connected(state, replica, pp))):
        state = with_replica(state, replica, _cut(rep, keep))
        state = _same_roles_next_epoch(state, replica, pp)
    return state


def _same_roles_next_epoch(state: State, ap: int, pp: int) -> State:
    """Epoch e + 1 with the same AP and PP (election.start_epoch: the PP
    adopts it and drops what the AP lacks); the PP keeps its in-sync mark."""
    in_sync = state.orchestrator.pp_in_sync
    state = start_epoch(state, "restart", ap, pp, new_pp_rejoins=True)
    return evolve(state, orchestrator=evolve(state.orchestrator, pp_in_sync=in_sync))


def keep_on_restart(cfg: Any, rep: Replica, ap: Any) -> Any:
    """How much of its log a restarting replica keeps under knob
    `restart_unconfirmed = "truncate"`: an AP drops the entries of its own
    epoch past its commit point (those its PP never confirmed); entries of
    older epochs it holds as the new AP (it took them as a PP, and may have
    confirmed them: the commit point it learnt of them is stale) are kept.
    Other replicas keep everything (drop_unconfirmed says when an AP drops).
    Flaw `restart-truncates-inherited`: the AP cuts at its commit point,
    older epochs' entries included."""
    if cfg.has("restart-truncates-inherited"):
        return ITE(ap, rep.commit, length(rep.log))
    older = COUNT(AND(present, e.epoch < rep.epoch) for present, _, e in items(rep.log))
    return ITE(ap, MAX(rep.commit, older), length(rep.log))


def lost(rep: Replica) -> Any:
    """The replica's disk is already lost and it has held nothing since."""
    return AND(NOT(rep.up), EQ(length(rep.log), 0), EQ(rep.epoch, 0))


def _wipe(state: State, replica: int) -> State:
    """The replica's disk is gone: down, no log, no epoch; a PP that lost its
    disk is no longer in sync (not promotable); the loss is accounted
    against the fault budget if the replica held a guarded copy (a disk that
    was lost and has held nothing since is not counted twice)."""
    before = state.replicas[replica]
    state = with_replica(state, replica, LOST)
    orch = state.orchestrator
    in_sync = AND(orch.pp_in_sync, NOT(EQ(orch.pp, replica)))
    state = evolve(state, orchestrator=evolve(orch, pp_in_sync=in_sync))
    b = state.budget
    held = NOT(AND(EQ(length(before.log), 0), EQ(before.epoch, 0)))
    hit = AND(OR(EQ(b.guard[0], replica), EQ(b.guard[1], replica)), held)
    return evolve(state, budget=FaultBudget(b.guard, OR(b.pending, hit), OR(b.exceeded, AND(hit, b.pending))))


def lose_disk(state: State, replica: int) -> State:
    """Catastrophic loss of a datacenter: the replica is down and its log,
    commit point and epoch are gone. It comes back (recover) empty and must
    rejoin. Counts against the fault budget when it held the AP or PP."""
    require(NOT(lost(state.replicas[replica])),
            lambda: f"{state.config.name_of(replica)} has already lost its disk")
    return _wipe(state, replica)


def lose_region(state: State, region: int) -> State:
    """A whole region is lost: every datacenter in it loses its disk at once."""
    cfg = state.config
    require(0 <= region < len(cfg.regions), lambda: f"no region #{region}")
    hit = [r for r in cfg.replicas if cfg.region_of(r) == region]
    require(ANY(NOT(lost(state.replicas[r])) for r in hit), lambda: f"region {cfg.regions[region]} is already lost")
    for r in hit:
        state = _wipe(state, r)
    return state


def _link(state: State, a: int, b: int) -> int:
    n = len(state.replicas)
    require(0 <= a < n and 0 <= b < n and a != b, lambda: f"no link between replicas {a} and {b}")
    return pair_index(n, a, b)


def _with_link(state: State, i: int, cut: bool) -> State:
    return evolve(state, links=state.links[:i] + (cut,) + state.links[i + 1:])


def partition(state: State, a: int, b: int) -> State:
    """The network between two datacenters is cut (both ways)."""
    i = _link(state, a, b)
    require(NOT(state.links[i]),
            lambda: f"{state.config.name_of(a)} and {state.config.name_of(b)} are already cut off")
    return _with_link(state, i, True)


def heal(state: State, a: int, b: int) -> State:
    """The network between two datacenters is restored."""
    i = _link(state, a, b)
    require(state.links[i], lambda: f"{state.config.name_of(a)} and {state.config.name_of(b)} are not cut off")
    return _with_link(state, i, False)
