"""The parametric proof as an engine of `dirproof check` ("z3-param").

`run(request)` proves the replication properties of design.md §4 for any
number of replicas, regions (at least two), sessions, log entries and
epochs, within the fault budget, on the parametric form with the request's
flaws. A property is "proved" when every obligation (initiation, and
consecution of every invariant over every transition) is discharged, every
transition is enabled in some state of the invariant (no vacuous proof) and
the property follows from the invariant.

The proof is of the form; it says something of the design only when the
running model refines the form (refine.audit: its steered and scripted
walks take only steps the form allows, and take every transition of it
from a state of the invariant) and the design's knobs are the form's.
When it does not, or the proof fails (a seeded flaw), no result is
returned for the replication properties and `why_unjudged` says why: a
failed induction is not a violation (the fixed-scope engine's bounded
search finds those), and results.STATUSES has no verdict for "not
proved".
"""

from __future__ import annotations

import functools
import time
from typing import Optional

from dirproof.model import Config
from dirproof.model.config import CHOICES
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


@functools.lru_cache(maxsize=8)
def proof_of(flaws: frozenset) -> Report:
    """The form's proof depends on the flaws alone (not on the running model,
    which refine.py checks apart), so one run of a process proves it once."""
    return prove(flaws, first_failure=bool(flaws))


def audit_of(flaws: frozenset) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the first thing the running model does that the form does not allow,
    the form's transitions no model step shows taken): refine.audit, run
    each time (unlike the form's proof it reads the running model, which a
    test may have changed)."""
    from .refine import audit
    drift, live = audit(flaws)
    return tuple(drift), tuple(t for t, v in live.items() if v != "yes")


def off_default_knobs(cfg: Config) -> list[str]:
    """The protocol-choice knobs (model.config.CHOICES) not at the design's
    setting, of those the parametric form fixes (§6; it reads no token_home:
    its moves keep or drop the token, docs/parametric.md)."""
    return [f"{k} (here {getattr(cfg, k)!r})" for k, allowed in CHOICES.items()
            if k != "token_home" and getattr(cfg, k) != allowed[0]]


def why_not(cfg: Config) -> Optional[str]:
    """Why the form's proof says nothing of the design `cfg` (None: it
    does): a flaw whose steps the form lacks, a knob the form does not
    have, a failed proof, a step of the running model the form does not
    allow, a transition of the form no model step takes."""
    flaws = frozenset(cfg.flaws)
    if OUTSIDE_THE_FORM & flaws:
        return "the parametric form lacks the steps of " + ", ".join(sorted(OUTSIDE_THE_FORM & flaws))
    knobs = off_default_knobs(cfg)
    if knobs:
        return f"the parametric form has the design's setting of {', '.join(knobs)} only"
    rep = proof_of(flaws)
    if not rep.ok:
        return rep.failures()[0].headline()
    drift, idle = audit_of(flaws)
    if drift:
        return f"the model does what the parametric form does not allow: {drift[0]}"
    if idle:
        return f"a transition of the form is not shown taken by the model: {', '.join(idle)}"
    return None


def why_unjudged(request) -> dict[str, str]:
    """Why `run` gives no verdict on each requested replication property it
    leaves unjudged (dirproof/engines.py: the reason a check shows)."""
    why = why_not(request.config)
    return {p: why for p in request.properties if p in REPLICATION} if why else {}


def run(request) -> list[PropertyResult]:
    """One "proved" result per requested replication property, when the
    form's proof holds of the running model (why_not is None); else none,
    and why_unjudged says why."""
    wanted = [p for p in request.properties if p in REPLICATION]
    if not wanted:
        return []
    t = time.perf_counter()
    if why_not(request.config):
        return []
    seconds = round(time.perf_counter() - t, 2)
    n_inv = len(invariants(Vocab(""), frozenset(request.config.flaws)))
    detail = (f"{SCOPE}; {ASSUMES}; inductive invariant of {n_inv} formulas (universal but one, forall-exists "
              f"into epochs and values), {len(proof_of(frozenset(request.config.flaws)).obligations)} "
              f"obligations in EPR; every transition enabled in some state of the invariant; the running "
              f"model refines the form (its steered and scripted walks)")
    return [PropertyResult(p, "proved", ENGINE, seconds=seconds, detail=detail) for p in wanted]
