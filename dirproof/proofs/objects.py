"""The object properties in `dirproof check --engine z3` (docs/z3.md, the object layer).

For soft-delete-restorable, no-early-purge and no-resurrection:

  * "proved" (engine "z3-induction") when the property is in the inductive
    invariant Houdini keeps over the object layer of one history
    (objects_proof.py) *and* the replication proof of the same design and
    scope proves one-history and no-acked-write-lost: the composition
    argument of docs/z3.md (every replica's log is a log of the one-history
    fragment) needs both. The detail states the scope;
  * "violated" (engine "z3-bmc") with a counterexample file when the search
    over object steps finds a path that breaks it: the shortest in object
    steps, replayed on the Python model, shortened over its own actions
    (under a lifecycle flaw, outside one history, the search also has a
    secondary that catches up or is rebuilt and the AP's tombstone
    collection: lifecycle.py);
  * "held" (engine "z3-bmc"), bounded to the object depth searched, saying
    why it is not proved (not inductive, or the assumption not established).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from dirproof.counterexample import save
from dirproof.defaults import DEFAULT_SECONDS, OBJECT_DEPTH
from dirproof.results import PropertyResult

from .forms import REPLICATION
from .houdini import prove
from .induction import request_scope
from .objects_proof import OBJECT_PROPS, ObjectProof, bmc_objects, prove_objects, shortened

ASSUMED = ("one-history", "no-acked-write-lost")  # what the object proof composes with


def replication_missing(request: Any, replication: Any) -> list[str]:
    """The assumed replication properties that the replication proof of the
    request's design and scope does not prove (running it if not given)."""
    if replication is None:
        replication = prove(request.config, request_scope(request), REPLICATION, progress=request.progress)
    return [p for p in ASSUMED if not replication.proved(p)]


def run_objects(request: Any, wanted: Sequence[str], replication: Optional[Any] = None) -> list:
    """One PropertyResult per wanted object property (others are ignored)."""
    cfg = request.config
    wanted = [p for p in wanted if p in OBJECT_PROPS]
    if not wanted:
        return []
    proof = prove_objects(cfg)
    missing = replication_missing(request, replication) if any(proof.proved(p) for p in wanted) else list(ASSUMED)
    return [_judge(request, proof, prop, missing + outside_one_history(cfg)) for prop in wanted]


def outside_one_history(cfg: Any) -> list[str]:
    """Seeded flaws whose writes the object layer of one history does not
    model (a returning replica's reinstatements, model/tombstones.py): the
    composition argument does not hold under them, so nothing is proved."""
    from dirproof.model import FLAWS
    return [f"one history (flaw {f} writes entries the object layer does not model)"
            for f in cfg.flaws if FLAWS[f].area == "lifecycle"]


def _judge(request: Any, proof: ObjectProof, prop: str, missing: list[str]) -> PropertyResult:
    cfg = request.config
    if proof.proved(prop) and not missing and not request.over_budget:
        return PropertyResult(prop, "proved", "z3-induction", seconds=round(proof.seconds, 2),
                              detail=f"proved for {cfg.profile}: {proof.detail(prop)}")
    search = bmc_objects
    if outside_one_history(cfg):  # a returning secondary, the clock and the AP's compaction (lifecycle.py)
        from .lifecycle_bmc import bmc_lifecycle as search
    res = search(cfg, prop, request.depth or OBJECT_DEPTH, progress=request.progress,
                 seconds=request.seconds if request.seconds is not None else DEFAULT_SECONDS)
    if res.found:
        cx = shortened(cfg, res)
        path = save(cx, request.out_dir)
        return PropertyResult(prop, cx.status, "z3-bmc", steps=len(cx.steps), seconds=round(res.seconds, 2),
                              counterexample=str(path), detail=cx.message)
    if not proof.proved(prop):
        why = proof.detail(prop)
    elif missing:
        why = (f"the object layer over one history is inductive ({len(proof.rounds[-1].obligations)} "
               f"obligations), but {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not proved "
               f"for this design, so the one-history assumption is not established")
    else:
        why = "the object proof assumes the fault budget, which this request lifts"
    over = ("over one history and a secondary that catches up, is rebuilt, and the AP's tombstone collection"
            if outside_one_history(cfg) else "over one history")
    return PropertyResult(prop, "held", "z3-bmc", steps=res.depth, seconds=round(res.seconds, 2),
                          detail=f"bounded to {res.depth} object steps (each write committed at once, ticks of "
                                 f"any length, {over}); {why}")
