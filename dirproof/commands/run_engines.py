"""The engines of one `dirproof check`, in order, each skipping what an
earlier one has already violated.

Order (dirproof.engines.ENGINE_ORDER): the explorers first (the
breadth-first search with a short budget, then the exploration), so that a
flawed design's counterexample is found in seconds; then Z3 for the
properties still open. An engine after the one that found a violation only
asks "is there a shorter one?" (`shortest` of its module, when it has one:
Z3's bounded search of every shorter length), so the reported length is
either the shortest or marked as an upper bound. Without `keep_going` the
run stops judging the other properties once one is violated: the design is
refuted, and the Z3 proofs of the rest would take a minute or more.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable, Optional

import attrs
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from dirproof import engines, interrupt
from dirproof.defaults import BFS_LEAD_SECONDS
from dirproof.engines import SIDE_MODULES, EngineRequest, module_for
from dirproof.properties import ALL_PROPERTIES, flawed_layers, layer_of
from dirproof.results import FAILED, WITHIN_BOUNDS

EXPLORERS = ("bfs", "hypothesis")  # engines whose budget is examples or time, not a proof


@attrs.define
class Run:
    results: list = attrs.Factory(list)
    why_not: dict = attrs.Factory(dict)  # property -> why it was not checked
    notes: list = attrs.Factory(list)
    coverage: dict = attrs.Factory(dict)


def partition_untouched(cfg) -> bool:
    """Every seeded flaw is of a side machine (identity, cells) and nothing
    else differs from the profile: the partition is the design the proofs
    cover, so the breadth-first lead, a search of the partition for a
    flaw's counterexample, has none to find (docs/bfs.md)."""
    from dirproof.model import ConfigError, make_config
    if not cfg.flaws or "partition" in flawed_layers(cfg.flaws):
        return False
    try:
        return attrs.evolve(cfg, flaws=()) == make_config(cfg.profile)
    except ConfigError:
        return False


def _budget(engine: str, later: bool, examples: Optional[int], seconds: Optional[float]) -> dict:
    """An explorer's budget: its examples, or (with --seconds alone) a share of the time left.
    The breadth-first search, when later engines follow, has a short one
    (BFS_LEAD_SECONDS, at most a quarter of --seconds): the rest is theirs."""
    left = interrupt.time_left()
    if engine == "bfs" and later:
        return {"examples": None, "seconds": BFS_LEAD_SECONDS if left is None else
                max(0.5, min(BFS_LEAD_SECONDS, left / 4))}
    if engine in EXPLORERS and examples is None and seconds is not None and left is not None:
        return {"examples": None, "seconds": max(1.0, left / 2 if later else left)}
    return {"examples": examples, "seconds": None}


def progress_bar(show: bool) -> Optional[Progress]:
    """The one-line progress display on stderr (transient), or None when not shown."""
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[label]}"),
                    TimeElapsedColumn(), console=Console(stderr=True), transient=True) if show else None


def reporter(bar: Optional[Progress], engine: str) -> Callable[[float, float, str], None]:
    """Every engine's progress report is where a pending interrupt or the
    spent deadline stops it (dirproof/interrupt.py)."""
    task = bar.add_task(engine, total=None, label="") if bar is not None else None

    def report(done: float, total: float, label: str) -> None:
        interrupt.check()
        if bar is not None and task is not None:
            bar.update(task, completed=done, total=total or None, label=label)
    return report


def _unsettled(r) -> bool:
    """A violation whose length a later engine may still settle."""
    return r.status == "violated" and (not r.length or r.length.startswith(WITHIN_BOUNDS))


def _shorten(engine: str, request: EngineRequest, found: list) -> list:
    """Each violation, shortened by `engine` if it can; its budget
    (SHORTEST_SECONDS of the module) is shared by all of them. A bounded
    search's "shortest within bounds" is kept unless the engine settles it
    (finds a shorter one, or shows there is none)."""
    if not found:
        return list(found)
    out = []
    for r in found:
        name = module_for(engine, r.property)
        module = importlib.import_module(name) if name else None
        if module is None or not hasattr(module, "shortest"):
            out.append(r)
            continue
        got = module.shortest(request, r, getattr(module, "SHORTEST_SECONDS", 3.0) / len(found))
        settled = (got.length.startswith("shortest") and not got.length.startswith(WITHIN_BOUNDS)) \
            or got.counterexample != r.counterexample
        out.append(got if settled or not r.length else r)
    return out


def _judge_both(engine: str, req: EngineRequest, keep_going: bool, why_not: dict, out: list) -> None:
    """The engine's verdicts on every machine, appended to `out` machine by
    machine (so that the verdicts of a machine already judged stand when the
    run's deadline cuts a later one): the side machines first (the
    identity layer, then the cells layer: their modules, SIDE_MODULES,
    take seconds), then the partition; a violation in one ends the run there
    unless `keep_going`, as within one machine. A machine with a seeded
    flaw goes first, so that its counterexample does not wait for the
    searches of the machines the flaw leaves alone."""
    order = sorted([*SIDE_MODULES, "partition"], key=lambda layer: layer not in flawed_layers(req.config.flaws))
    broke = False
    for i, layer in enumerate(order):
        mine = tuple(p for p in req.properties if layer_of(p) == layer)
        if not mine:
            continue
        if layer != "partition" and engine not in SIDE_MODULES[layer]:
            for p in mine:
                why_not.setdefault(p, f"the {engine} engine does not judge the {layer} layer")
            continue
        got = engines.run(engine, attrs.evolve(req, properties=mine))
        out += got
        if layer == "partition":
            judged = {r.property for r in got}
            left = tuple(p for p in mine if p not in judged)
            for p, why in (engines.why_unjudged(engine, attrs.evolve(req, properties=left)) if left else {}).items():
                why_not.setdefault(p, f"{engine}: {why}")
        broke = broke or any(r.status in FAILED for r in got)
        if broke and not keep_going:
            for p in req.properties:
                if layer_of(p) in order[i + 1:]:
                    why_not.setdefault(p, "the run stopped at the first violation (--keep-going judges every "
                                          "property)")
            return


def run_in_order(cfg, engines, out_dir: Path, *, examples=None, seconds=None, depth=None, scope=None,
                 seed=None, over_budget=False, keep_going=False, show=False,
                 properties: tuple[str, ...] = tuple(ALL_PROPERTIES), all_violations: bool = False) -> Run:
    """Run `engines` in order on the `properties` named (all by default);
    with `all_violations` the explorers go on past their first violation."""
    run = Run()
    bar = progress_bar(show)
    if bar is not None:
        bar.start()
    try:
        for i, engine in enumerate(engines):
            _one_engine(run, cfg, engine, engines[i + 1:], out_dir, bar, examples=examples, seconds=seconds,
                        depth=depth, scope=scope, seed=seed, over_budget=over_budget, keep_going=keep_going,
                        properties=properties, all_violations=all_violations)
    finally:
        if bar is not None:
            bar.stop()
    run.results = [attrs.evolve(r, length="at most: no engine of this run searched for a shorter one")
                   if r.status == "violated" and not r.length else r for r in run.results]
    return run


def _one_engine(run: Run, cfg, engine: str, later: tuple, out_dir: Path, bar, *, examples, seconds, depth,
                scope, seed, over_budget, keep_going, properties, all_violations) -> None:
    failed = {r.property: r for r in run.results if r.status in FAILED}
    todo = tuple(p for p in properties if p not in failed)
    if failed and not keep_going:
        for p in todo:  # (replaces "engine E does not judge its layer": a later one would have)
            run.why_not[p] = "the run stopped at the first violation (--keep-going judges every property)"
        todo = ()
    if engine == "bfs" and later and partition_untouched(cfg):
        todo = tuple(p for p in todo if layer_of(p) != "partition")  # the later engines judge it
    interrupt.phase(engine)
    req = EngineRequest(cfg, todo, depth=depth, seed=seed, out_dir=out_dir, over_budget=over_budget,
                        scope=scope, progress=reporter(bar, engine), on_coverage=run.coverage.update,
                        all_violations=all_violations,
                        **_budget(engine, bool(later), examples, seconds))
    try:
        if failed:
            found = [r for r in failed.values() if _unsettled(r)]
            shorter = _shorten(engine, req, found)
            run.results = [r for r in run.results if r not in found] + shorter
        if todo:
            _judge_both(engine, req, keep_going, run.why_not, run.results)
    except interrupt.OutOfTime:
        run.notes.append(f"the --seconds budget ran out during {engine}")
        for p in todo:
            if p not in {r.property for r in run.results}:
                run.why_not.setdefault(p, f"out of time (--seconds) during {engine}")
