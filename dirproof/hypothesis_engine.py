"""The Hypothesis engine: explore the model (dirproof.explore) and report one
PropertyResult per property, saving each counterexample as a file.

The exploration stops at the first round in which a property breaks. The
failing example is then made 1-minimal by delta debugging over replays on
the model (dirproof.replay.minimize), and shortened further by a bounded
breadth-first search over its own actions (dirproof.shorten). Both are
much faster on these traces than Hypothesis's own stateful shrinking
(measured: 4 s instead of 107 s on `no-fencing`) and give shorter traces.
"""

from __future__ import annotations

import datetime

import time

from dirproof.counterexample import Counterexample, save
from dirproof.engines import EngineRequest
from dirproof.explore import REACHABILITY, explore
from dirproof.results import PropertyResult
from dirproof.shorten import shortest

DEFAULT_EXAMPLES = 300


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _found(request: EngineRequest, finding, status: str) -> PropertyResult:
    from dirproof.replay import minimize

    f = finding.failure
    start = time.perf_counter()
    cx = Counterexample(request.config, tuple(f.steps), f.property, f.at, f.message,
                        "hypothesis", _now(), status)
    cx = _shorter(minimize(cx).cx)
    path = save(cx, request.out_dir)
    spent = finding.shrunk_seconds + time.perf_counter() - start
    return PropertyResult(f.property, status, "hypothesis", steps=len(cx.steps),
                          seconds=round(spent, 2), counterexample=str(path), detail=cx.message)


def _shorter(cx: Counterexample) -> Counterexample:
    """The shortest trace over the same actions, when the search finds one."""
    import attrs

    from dirproof.model import initial_state, step
    from dirproof.properties import PROPERTIES

    best = shortest(cx.config, cx.steps, cx.property, within=cx.status == "violated")
    if best is None or len(best) >= len(cx.steps):
        return cx
    state = initial_state(cx.config)
    for a in best:
        state = step(state, a)
    return attrs.evolve(cx, steps=best, violated_at=len(best),
                        message=PROPERTIES[cx.property].check(state) or cx.message)


def run(request: EngineRequest) -> list[PropertyResult]:
    budget = {"seconds": request.seconds} if request.seconds else \
        {"examples": request.examples or DEFAULT_EXAMPLES}
    ex = explore(request.config, request.properties, seed=request.seed,
                 over_budget=request.over_budget, progress=request.progress, shrink=False, swarm="modes",
                 stop_when=lambda e: bool(e.violated or e.over_budget), **budget)
    missed = ex.unreached()
    reach = (f"{len(REACHABILITY) - len(missed)}/{len(REACHABILITY)} reachability situations reached"
             + (f" (not: {', '.join(missed)})" if missed else ""))
    out = []
    for pid in request.properties:
        if pid in ex.violated:
            out.append(_found(request, ex.violated[pid], "violated"))
        elif pid in ex.over_budget:
            out.append(_found(request, ex.over_budget[pid], "assumption-broken"))
        else:
            out.append(PropertyResult(pid, "held", "hypothesis", examples=ex.checked_examples[pid],
                                      steps=ex.checked_steps[pid], seconds=round(ex.seconds, 2),
                                      detail=f"explored {ex.checked_examples[pid]} examples; {reach}"))
    return out
