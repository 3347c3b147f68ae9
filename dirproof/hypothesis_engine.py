"""The Hypothesis engine: explore the model (dirproof.explore) and report one
PropertyResult per property, saving each counterexample as a file.

The exploration stops at the first round in which a property breaks (with
`EngineRequest.all_violations`, it goes on for the properties still holding,
each round with a fresh budget, until a round breaks none of them). The
failing example is made 1-minimal by `dirproof.explore.polish` (removing
steps, then pairs of steps, over plain replays on the model; Hypothesis's
own shrinking is off: it costs tens of seconds here and ends no shorter,
see docs/exploration.md), and shortened further by a bounded breadth-first
search over its own actions (dirproof.shorten).

A Ctrl-C (or SIGTERM) during `run` is raised out of it (KeyboardInterrupt
for Python's default SIGINT handler; whatever a handler the caller
installed raises), at the next step of the exploration or after the
shortening under way: dirproof.explore_signals. No result is returned then.
"""

from __future__ import annotations

import datetime

import time

from dirproof import explore_signals as signals
from dirproof.counterexample import Counterexample, save
from dirproof.defaults import DEFAULT_EXAMPLES  # noqa: F401 (re-exported: tests, review)
from dirproof.engines import EngineRequest
from dirproof.explore import REACHABILITY, explore
from dirproof.results import PropertyResult
from dirproof.shorten import shorter


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _found(request: EngineRequest, finding, status: str) -> PropertyResult:
    # finding.steps are already 1-minimal (dirproof.explore.polish: no single
    # step, nor pair of steps, can go); the search over the trace's own
    # actions may still find a shorter order.
    start = time.perf_counter()
    cx = Counterexample(request.config, tuple(finding.steps), finding.property, finding.at,
                        finding.message, "hypothesis", _now(), status)
    cx = shorter(cx)
    path = save(cx, request.out_dir)
    spent = finding.shrunk_seconds + time.perf_counter() - start
    return PropertyResult(finding.property, status, "hypothesis", steps=len(cx.steps),
                          seconds=round(spent, 2), counterexample=str(path), detail=cx.message)


def run(request: EngineRequest) -> list[PropertyResult]:
    with signals.deferred():
        return _run(request)


def _run(request: EngineRequest) -> list[PropertyResult]:
    budget = {"seconds": request.seconds} if request.seconds else \
        {"examples": request.examples or DEFAULT_EXAMPLES}
    # By default the first round with a violation ends the exploration; with
    # all_violations the rounds go on for the properties still holding.
    stop = None if request.all_violations else (lambda e: bool(e.violated or e.over_budget))
    ex = explore(request.config, request.properties, seed=request.seed,
                 over_budget=request.over_budget, progress=request.progress, swarm="modes",
                 stop_when=stop, later_examples=request.later_examples if budget.get("examples") else None,
                 **budget)
    request.on_coverage(ex.coverage())
    missed = ex.unreached()
    reach = (f"{len(REACHABILITY) - len(missed)}/{len(REACHABILITY)} reachability situations reached"
             + (f" (not: {', '.join(missed)})" if missed else ""))
    out = []
    for pid in request.properties:
        signals.check()
        if pid in ex.violated:
            out.append(_found(request, ex.violated[pid], "violated"))
        elif pid in ex.over_budget:
            out.append(_found(request, ex.over_budget[pid], "assumption-broken"))
        else:
            out.append(PropertyResult(pid, "held", "hypothesis", examples=ex.checked_examples[pid],
                                      steps=ex.checked_steps[pid], seconds=round(ex.seconds, 2),
                                      detail=f"explored {ex.checked_examples[pid]} examples; {reach}"))
    return out
