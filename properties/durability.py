"""no-acked-write-lost and one-history (design.md §4, items 1 and 2)."""

from __future__ import annotations

from typing import Optional

from dirproof.model import Acked, State, acting_ap


def _holds(log: tuple, entry) -> bool:
    return len(log) >= entry.lsn and log[entry.lsn - 1] == entry


def _name(state: State, r: int) -> str:
    return state.config.name_of(r)


def no_acked_write_lost(state: State) -> Optional[str]:
    """Every acknowledged entry (a) was held in two regions when acknowledged,
    (b) is in the acting AP's log at its LSN, (c) survives on some replica."""
    ap = acting_ap(state)
    for ev in state.history:
        if not isinstance(ev, Acked):
            continue
        e = ev.entry
        where = f"entry ({e.epoch},{e.lsn}) acknowledged by {_name(state, ev.replica)}"
        if len(ev.regions) < 2:
            regions = ", ".join(state.config.regions[g] for g in ev.regions) or "none"
            return f"{where} was held only in region(s) {regions} when acknowledged"
        if ap is not None and not _holds(state.replicas[ap].log, e):
            return (f"{where} is missing from the log of {_name(state, ap)}, "
                    f"AP of epoch {state.orchestrator.epoch}, at LSN {e.lsn}")
        if not any(_holds(rep.log, e) for rep in state.replicas):
            return f"{where} is held by no replica any more"
    return None


def _diverge(state: State) -> Optional[str]:
    reps = state.replicas
    for a in range(len(reps)):
        for b in range(a + 1, len(reps)):
            upto = min(reps[a].commit, reps[b].commit)
            for i in range(upto):
                x, y = reps[a].log[i], reps[b].log[i]
                if x != y:
                    return (f"{_name(state, a)} and {_name(state, b)} hold different committed entries "
                            f"at LSN {i + 1}: ({x.epoch},{x.lsn}) {type(x.op).__name__} vs "
                            f"({y.epoch},{y.lsn}) {type(y.op).__name__}")
    return None


def one_history(state: State) -> Optional[str]:
    """No two replicas hold different entries at one LSN inside their commit
    points; no two acknowledgements differ at one LSN; at most one replica
    acknowledges in an epoch."""
    why = _diverge(state)
    if why:
        return why
    ackers: dict[int, int] = {}
    at_lsn: dict[int, object] = {}
    for ev in state.history:
        if not isinstance(ev, Acked):
            continue
        if ackers.setdefault(ev.epoch, ev.replica) != ev.replica:
            return (f"two replicas acknowledged in epoch {ev.epoch}: "
                    f"{_name(state, ackers[ev.epoch])} and {_name(state, ev.replica)}")
        prior = at_lsn.setdefault(ev.entry.lsn, ev.entry)
        if prior != ev.entry:
            return (f"two different entries were acknowledged at LSN {ev.entry.lsn}: "
                    f"({prior.epoch},{prior.lsn}) and ({ev.entry.epoch},{ev.entry.lsn})")
    return None
