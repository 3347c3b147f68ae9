"""The Z3 engine: what `dirproof check --engine z3` runs (docs/z3.md).

Everything here runs on the transition relation derived from the model's
own steps (dirproof/symbolic), so a verdict is about the model. For each
requested property in the replication encoding:

  * "proved" (engine "z3-induction") when the property is in the inductive
    invariant Houdini keeps (dirproof/proofs/houdini.py) *and* its subject
    is reached by some execution (its witness, replayed on the model); the
    detail states the scope: the configuration, the log and epoch bounds,
    within the fault budget. A proved property whose subject no execution
    within the witness depth reaches is "vacuous", not proved;
  * "violated" (engine "z3-bmc") with a counterexample file when bounded
    model checking finds an execution that breaks it: the shortest one,
    replayed on the Python model and saved;
  * "held" (engine "z3-bmc"), bounded to the depth the search completed.

bounded-write-unavailability is proved when the kept invariant implies it.
The object properties are judged over the object layer of one history,
derived from the model's object code and composed with this proof
(dirproof/proofs/objects.py).
"""

from __future__ import annotations

import datetime
import time
from pathlib import Path

import attrs

from dirproof.interrupt import phase
from dirproof.defaults import DEFAULT_DEPTH, DEFAULT_SECONDS
from dirproof.model import Config
from dirproof.proofs.bmc import SEARCHABLE, BmcResult, bmc
from dirproof.proofs.forms import AVAILABILITY, REPLICATION
from dirproof.proofs.houdini import Proof, prove, prove_availability, scope_text, witnesses
from dirproof.proofs.induction import request_scope
from dirproof.results import PropertyResult

WITNESS_DEPTH = 8


def save_counterexample(cfg: Config, result: BmcResult, out_dir: Path) -> Path:
    """The counterexample file (status "assumption-broken" when the fault
    budget was exceeded by the time the property broke)."""
    from dirproof.counterexample import Counterexample, save
    tr = result.trace
    assert tr is not None
    cx = Counterexample(cfg, tr.steps, result.property, tr.violated_at, tr.message, "z3-bmc",
                        datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                        "assumption-broken" if tr.beyond_budget else "violated")
    return save(cx, out_dir)


def run(request) -> list:
    """One PropertyResult per requested property that Z3 can judge."""
    cfg = request.config
    wanted = [p for p in request.properties if p in REPLICATION + AVAILABILITY]
    objects = [p for p in request.properties if p not in SEARCHABLE]
    out, proof = [], None
    if wanted:
        scope = request_scope(request)
        phase("z3-proof")
        proof = prove(cfg, scope, REPLICATION, progress=request.progress)
        proved: dict[str, tuple[bool, float, str]] = {p: _proof_of(cfg, proof, p) for p in wanted}
        phase("z3-witnesses")
        found = witnesses(cfg, [p for p in wanted if proved[p][0]], WITNESS_DEPTH,
                          seconds=request.seconds if request.seconds is not None else DEFAULT_SECONDS)
        out = any_size(request, [judge(request, p, *proved[p], found.get(p)) for p in wanted])
    if objects:
        from dirproof.parametric.engine import off_default_knobs
        from dirproof.parametric.objengine import any_size as objects_any_size
        from dirproof.proofs.objects import run_objects
        out += objects_any_size(request, run_objects(request, objects, proof), out,
                                off_default_knobs(cfg))
    return out


def any_size(request, results: list) -> list:
    """The replication properties proved for the fixed scope, proved again
    by the parametric form for any number of replicas, regions, sessions,
    entries and epochs (dirproof/parametric): the stronger verdict first,
    the fixed-scope proof kept as its cross-check. When the parametric
    proof says nothing of this design (parametric.engine.why_not: a
    knob the form lacks, a failed proof, a step of the running model the
    form does not allow, a transition no model step takes), the fixed-scope
    verdict stands and says so."""
    from dirproof.parametric import engine as parametric
    todo = [r for r in results if r.status == "proved" and r.property in parametric.REPLICATION]
    if not todo:
        return results
    phase("z3-parametric")
    t0 = time.perf_counter()
    why = parametric.why_not(request.config)
    spent = round(time.perf_counter() - t0, 2)
    if why:
        return [attrs.evolve(r, detail=f"{r.detail}; not proved for any size: {why}") if r in todo else r
                for r in results]
    return [attrs.evolve(r, engine=parametric.ENGINE, seconds=round(r.seconds + spent, 2), scope="any size",
                         detail=f"{parametric.SCOPE}; cross-check: {r.detail}") if r in todo else r
            for r in results]


def _proof_of(cfg: Config, proof: Proof, prop: str) -> tuple[bool, float, str]:
    """(proved, seconds, detail) of one property from the replication proof."""
    if prop in AVAILABILITY:
        ok, spent, detail = prove_availability(cfg, proof, prop) if proof.kept else (False, 0.0, "no invariant")
        return ok, proof.seconds + spent, detail
    return proof.proved(prop), proof.seconds, proof.detail(prop)


def judge(request, prop: str, proved: bool, seconds: float, detail: str, wit=None) -> PropertyResult:
    """The verdict on one property (see the module doc)."""
    cfg, over = request.config, bool(request.over_budget)
    scope = request_scope(request)
    if proved and not over:
        if wit is not None and not wit.found and wit.complete:
            return PropertyResult(prop, "vacuous", "z3-induction", seconds=round(seconds + wit.seconds, 2),
                                  detail=f"inductive, but no execution of up to {wit.depth} steps reaches its "
                                         f"subject ({wit.goal}): the proof says nothing")
        reach = ("" if wit is None else
                 f"; witness: {wit.goal}, reached in {wit.depth} step{'s' * (wit.depth != 1)}" if wit.found
                 else f"; vacuity not ruled out: the search for a witness ({wit.goal}) ran out of time after "
                      f"depth {wit.depth} (more --seconds)")
        return PropertyResult(prop, "proved", "z3-induction", seconds=round(seconds, 2),
                              detail=f"proved for {scope_text(cfg, scope)}; {detail}{reach}",
                              scope=scope_text(cfg, scope))
    phase("z3-bmc")
    res = bmc(cfg, prop, request.depth or DEFAULT_DEPTH, budget=not over, progress=request.progress,
              seconds=request.seconds if request.seconds is not None else DEFAULT_SECONDS)
    if res.found:
        return _found(request, res, "shortest: bounded model checking tried every shorter length")
    if proved:
        return PropertyResult(prop, "proved", "z3-induction", seconds=round(seconds + res.seconds, 2),
                              detail=f"proved for {scope_text(cfg, scope)}; {detail}; beyond the fault budget: "
                                     f"no violation to depth {res.depth}", scope=scope_text(cfg, scope))
    budget = "beyond the fault budget too" if over else "within the fault budget"
    return PropertyResult(prop, "held", "z3-bmc", steps=res.depth, seconds=res.seconds,
                          detail=f"bounded to depth {res.depth} (every execution of up to {res.depth} steps, "
                                 f"{budget}); {detail}")


def _found(request, res: BmcResult, length: str) -> PropertyResult:
    assert res.trace is not None
    path = save_counterexample(request.config, res, request.out_dir)
    status = "assumption-broken" if res.trace.beyond_budget else "violated"
    return PropertyResult(res.property, status, "z3-bmc", steps=res.depth, seconds=round(res.seconds, 2),
                          counterexample=str(path), detail=res.trace.message, length=length)


SHORTEST_SECONDS = 3.0  # the search for shorter counterexamples than an explorer's, all properties together


def shortest(request, found: PropertyResult, seconds: float = SHORTEST_SECONDS) -> PropertyResult:
    """An exploring engine found `found` (a violation of n steps): search
    every execution of fewer steps with bounded model checking, within
    `seconds`. A hit replaces it (and is shortest: every shorter
    length was searched first); no hit to n - 1 makes n the shortest; a
    spent budget leaves n an upper bound, saying how far Z3 got."""
    n = found.steps or 0
    if found.property not in SEARCHABLE or found.status != "violated" or n <= 1:
        return attrs.evolve(found, length="shortest" if n == 1 else
                            "at most (Z3 has no form of this property to search shorter ones)")
    res = bmc(request.config, found.property, n - 1, budget=True, progress=request.progress,
              seconds=seconds)
    if res.found:
        return _found(request, res, f"shortest: Z3 searched every length below {found.steps} "
                                    f"({found.engine} found {found.steps})")
    if res.depth >= n - 1:
        return attrs.evolve(found, length="shortest: Z3 found no violation in fewer steps")
    if res.depth == 0:
        return attrs.evolve(found, length=f"at most; Z3 could not search shorter ones within {seconds:.1f} s")
    return attrs.evolve(found, length=f"at most; within {seconds:.1f} s Z3 ruled out only lengths up to "
                                       f"{res.depth}")
