"""The object properties proved for any size (issue 16, the object layer).

An object property proved by the fixed-scope object proof (dirproof/
proofs/objects.py: inductive over the object layer of one history, composed
with the replication proof of one-history and no-acked-write-lost) is
proved again for any number of objects, snapshots and days when

  * the object layer's parametric form is inductive and implies it
    (objproof.prove), every transition of it taken by a model step from a
    state of its invariant (objrefine.witnesses: not vacuous);
  * the running model's object layer refines the form (objrefine.
    model_refines: the scripted walk and the walk steered to where the
    object guards decide);
  * the composition's assumption holds for any size: the replication
    properties' parametric proof goes through and the model refines it
    (parametric.engine.proof_of, refine.model_refines).

The stronger verdict comes first, the fixed-scope proof stays as its
cross-check; otherwise the fixed-scope verdict stands and says why not.
"""

from __future__ import annotations

import functools
import time
from typing import Any, Optional, Sequence

import attrs

from .induction import Report
from .objinvariants import OBJECT_PROPS

ENGINE = "z3-parametric"
SCOPE = ("proved (any size): any number of objects, snapshots and days, any retention and expiry periods, "
         "over one history, composed with the replication proof for any number of replicas, regions >= 2, "
         "sessions, log entries and epochs, within the fault budget")


@functools.lru_cache(maxsize=16)
def proof_of(flaws: frozenset) -> Report:
    """The object form's proof depends on the flaws alone (cached per process)."""
    from .objproof import prove
    return prove(flaws, first_failure=bool(flaws))


@functools.lru_cache(maxsize=16)
def _audit(flaws: frozenset) -> tuple[tuple[str, ...], tuple[str, ...]]:
    from .objrefine import audit
    drift, taken = audit(flaws)
    return tuple(drift), tuple(t for t, v in taken.items() if v != "yes")


def refines(flaws: frozenset) -> tuple[str, ...]:
    """The first thing the model's object layer does that the form does not allow (empty: none)."""
    return _audit(flaws)[0]


def witnessed(flaws: frozenset) -> tuple[str, ...]:
    """The object transitions no model step shows taken from a state of the invariant."""
    return _audit(flaws)[1]


ASSUMED = ("one-history", "no-acked-write-lost")  # what the object layer over one history composes with


def why_not(flaws: frozenset, replication: Sequence[Any] = ()) -> Optional[str]:
    """Why the object properties are not proved for any size under `flaws`
    (None: they are). `replication`: the replication verdicts of the same
    check, if it judged both assumed properties (then the composition
    takes their scope rather than proving them again)."""
    from dirproof.model import make_config

    from . import engine as rep_engine
    from .protocol import OUTSIDE_THE_FORM
    if OUTSIDE_THE_FORM & flaws:
        return "the replication form lacks the steps of " + ", ".join(sorted(OUTSIDE_THE_FORM & flaws))
    given = {r.property: r for r in replication if r.property in ASSUMED}
    short = [p for p, r in given.items() if r.scope != "any size"]
    if len(given) == len(ASSUMED) and short:
        return f"the composition needs {' and '.join(short)} for any size, which this check did not prove"
    rep = proof_of(flaws)
    if not rep.ok:
        return rep.failures()[0].headline() + " (object form)"
    drift = refines(flaws)
    if drift:
        return f"the model does what the object form does not allow: {drift[0]}"
    idle = witnessed(flaws)
    if idle:
        return f"object transitions not shown taken by the model: {', '.join(idle)}"
    if len(given) == len(ASSUMED):
        return None
    rwhy = rep_engine.why_not(make_config("entra", flaws=sorted(flaws)))
    return f"the composition needs the replication proof for any size: {rwhy}" if rwhy else None


def any_size(request: Any, results: list, replication: Sequence[Any] = (), knobs: Sequence[str] = ()) -> list:
    """The proved object properties, upgraded to any size where the parametric
    proofs allow (see the module doc); the others unchanged. `replication`:
    the same check's replication verdicts (why_not); `knobs`: the §6 knobs
    off the design's setting (parametric.engine.off_default_knobs), which the
    replication form does not have."""
    todo = [r for r in results if r.status == "proved" and r.property in OBJECT_PROPS]
    if not todo:
        return results
    from dirproof.interrupt import phase
    phase("z3-parametric")
    t0 = time.perf_counter()
    why = (f"the parametric forms have the design's setting of {', '.join(knobs)} only" if knobs
           else why_not(frozenset(request.config.flaws), replication))
    spent = round(time.perf_counter() - t0, 2)
    if why:
        return [attrs.evolve(r, detail=f"{r.detail}; not proved for any size: {why}") if r in todo else r
                for r in results]
    return [attrs.evolve(r, engine=ENGINE, seconds=round(r.seconds + spent, 2), scope="any size",
                         detail=f"{SCOPE}; cross-check: {r.detail}") if r in todo else r for r in results]
