"""Counterexamples to induction, shown as model states.

A failing obligation carries the solver's values for the pre-state and the
post-state; `concretize` (dirproof/symbolic/states.py) turns them back into
a model `State` and its monitors' `Ghost`, which read here as the model's
own words: replicas with their logs, roles, sessions, the budget, what was
acknowledged.
"""

from __future__ import annotations

from typing import Any

from dirproof.model import SYSTEM, Config, State
from dirproof.properties.monitors import LATCHES, Ghost
from dirproof.symbolic.states import Scope, concretize

from .induction import InductionReport, Obligation


def _rn(cfg: Config, r: Any) -> str:
    return cfg.name_of(r) if isinstance(r, int) and 0 <= r < len(cfg.datacenters) else f"#{r}"


def _entry(e: Any) -> str:
    who = "system" if e.session == SYSTEM else f"s{e.session}/{e.logical}"
    return f"({e.epoch},{e.lsn} w{e.write} {who})"


def describe(state: State, ghost: Ghost) -> list[str]:
    """A state and its ghost in words, one line per replica and session."""
    cfg, orch = state.config, state.orchestrator
    roles = ", ".join(f"e{e}: AP {_rn(cfg, ap)} PP {_rn(cfg, pp)}" for e, (ap, pp) in enumerate(orch.roles, 1))
    b = state.budget
    lines = [f"epoch {orch.epoch} ({roles}); PP in sync: {orch.pp_in_sync}; budget guards "
             f"({_rn(cfg, b.guard[0])}, {_rn(cfg, b.guard[1])}), pending {b.pending}, exceeded {b.exceeded}"]
    for r, rep in enumerate(state.replicas):
        lines.append(f"  {_rn(cfg, r)}: {'up' if rep.up else 'down'}, epoch {rep.epoch}, commit {rep.commit}, flushed {rep.flushed}, "
                     f"log [{', '.join(_entry(e) for e in rep.log)}]")
    cut = [f"{_rn(cfg, a)}-{_rn(cfg, c)}" for a, c in state.cut]
    if cut:
        lines.append(f"  cut links: {', '.join(cut)}")
    for s, sess in enumerate(state.sessions):
        rd = ghost.reads[s]
        lines.append(f"  session {s}: at {_rn(cfg, sess.replica)}, logical #{sess.logical}, token "
                     f"({sess.token.epoch},{sess.token.lsn}); longest read {rd.longest} (logical #{rd.logical})")
    acked = [f"LSN {lsn}: {_entry(e)}" for _, lsn, e in ghost.acked.items()]
    lines.append(f"  acknowledged: {'; '.join(acked) or 'nothing'}")
    latched = [h for h in LATCHES if getattr(ghost, h)]
    if latched:
        lines.append(f"  monitors latched: {', '.join(latched)}")
    return lines


def cti_text(report: InductionReport, ob: Obligation) -> str:
    """"`X` is not preserved by `step`:" with the two states."""
    assert ob.cti is not None
    pre, act, post = ob.cti
    cfg, scope = report.cfg, report.scope
    out = [ob.text() + ":", "before:"] + describe(*concretize(cfg, scope, pre))
    out += [f"step: {act}", "after:"] + describe(*concretize(cfg, scope, post))
    return "\n".join(out)


def induction_lines(rep: InductionReport) -> tuple[list[str], int]:
    """The report in words: initiation failures, one line per failing
    obligation, the counterexample to induction of each failing conjunct,
    the tally; and the exit status (0: inductive)."""
    out = [f"`{n}` does not hold in the initial state" for n in rep.initiation]
    out += [ob.text() for ob in rep.failures()]
    shown: set = set()
    for ob in rep.failures():
        if ob.cti and ob.invariant not in shown:
            shown.add(ob.invariant)
            out += ["", cti_text(rep, ob)]
    out.append(f"{'inductive' if rep.ok else 'NOT inductive'} for {rep.cfg.profile}, {rep.scope.text()}: "
               f"{len(rep.obligations)} obligations, {len(rep.failures())} failing, {rep.seconds:.2f} s")
    return out, 0 if rep.ok else 1


__all__ = ["Scope", "cti_text", "describe", "induction_lines"]
