"""The parametric proof as an engine of `dirproof check` ("z3-param").

`run(request)` proves the replication properties of design.md §4 for any
number of replicas, regions (at least two), sessions, log entries and
epochs, within the fault budget, on the parametric form with the request's
flaws. A property is "proved" when every obligation (initiation, and
consecution of every invariant over every transition) is discharged, every
transition is enabled in some state of the invariant (no vacuous proof) and
the property follows from the invariant.

When the proof fails (a seeded flaw), no result is returned for the
replication properties: a failed induction is not a violation (the
fixed-scope engine's bounded search finds those), and results.STATUSES
has no verdict for "not proved". `outcome(request)` gives the failing
obligations with their counterexamples to induction.
"""

from __future__ import annotations

import functools

import time

from dirproof.results import PropertyResult

from .induction import Report, prove
from .invariants import invariants
from .protocol import OUTSIDE_THE_FORM, REPLICATION
from .vocab import Vocab

ENGINE = "z3-parametric"
SCOPE = ("proved (any size): any number of replicas, regions >= 2, sessions, log entries and epochs, "
         "within the fault budget")
ASSUMES = ("assumes the orchestrator is reliable and linearisable (its roles per epoch are state of the "
           "form), the fault budget (a second guarded disk is never lost before the PP has synced), "
           "and any object-layer behaviour (a write's payload is free)")


def outcome(request) -> tuple[Report, dict[str, str]]:
    """The proof report for the request's design, and whether each transition
    is shown enabled in some state of the invariant (refine.witnesses: a
    model step that is that transition, from a state of the invariant)."""
    from .refine import witnesses
    flaws = frozenset(request.config.flaws)
    rep = proof_of(flaws)
    return rep, (witnesses(flaws) if rep.ok else {})


@functools.lru_cache(maxsize=8)
def proof_of(flaws: frozenset) -> Report:
    """The form's proof depends on the flaws alone (not on the running model,
    which refine.py checks apart), so one run of a process proves it once."""
    return prove(flaws, first_failure=bool(flaws))


def run(request) -> list[PropertyResult]:
    """One "proved" result per requested replication property the parametric proof proves."""
    wanted = [p for p in request.properties if p in REPLICATION]
    if not wanted or OUTSIDE_THE_FORM & set(request.config.flaws):
        return []  # (a flaw whose steps the form lacks: proving the form would say nothing of the design)
    t = time.perf_counter()
    rep, live = outcome(request)
    seconds = round(time.perf_counter() - t, 2)
    if not rep.ok or "no" in live.values():
        return []
    unknown = [t for t, v in live.items() if v != "yes"]
    enabled_text = ("every transition enabled in some state of the invariant" if not unknown
                    else f"not shown enabled: {', '.join(unknown)}")
    n_inv = len(invariants(Vocab(""), frozenset(request.config.flaws)))
    detail = (f"{SCOPE}; {ASSUMES}; inductive invariant of {n_inv} formulas (universal but one, forall-exists "
              f"into epochs and values), "
              f"{len(rep.obligations)} obligations in EPR; {enabled_text}")
    return [PropertyResult(p, "proved", ENGINE, seconds=seconds, detail=detail) for p in wanted]
