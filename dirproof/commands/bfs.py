"""`dirproof bfs`: the breadth-first engine with its own bounds (docs/bfs.md).

`dirproof check --engine bfs` runs the same search with the default bounds;
this command sets them (writes, epochs, faults, days, depth), the symmetry
reduction, the worker processes and the time budget, and prints what the
search covered: distinct states, the rate, the depth completed.
"""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Optional

import attrs
import typer
from rich.console import Console
from rich.table import Table

from dirproof.app import app, fail
from dirproof.commands.options import in_range
from dirproof.commands.run_engines import progress_bar, reporter
from dirproof.config_file import LIMITS
from dirproof.defaults import SECONDS_RANGE
from dirproof.outputs import OutputError, publish, staged_folder
from dirproof.model import PROFILES, ConfigError, make_config
from dirproof.properties import PROPERTIES

BOUND_NAMES = ("writes", "epochs", "faults", "days", "depth")
WORKERS_MAX = 32  # each a forked copy of the search: beyond the cores they only cost memory


def _bounds(cfg, given: dict, unbounded: list[str]):
    from dirproof.bfs.engine import default_bounds
    bad = [u for u in unbounded if u not in BOUND_NAMES]
    if bad:
        fail(f"unknown bound {bad[0]!r} for --unbounded; known bounds: {', '.join(BOUND_NAMES)}")
    b = attrs.evolve(default_bounds(cfg), **{k: v for k, v in given.items() if v is not None})
    b = attrs.evolve(b, **{u: None for u in unbounded})
    if not b.finite():
        fail("the search would not end: bound days, writes and epochs, or give --depth")
    return b


def _print(cfg, b, result, res, as_json: bool) -> None:
    """The verdicts and what the search covered (a table, or one JSON object)."""
    rate = result.states / result.seconds if result.seconds else 0.0
    summary = {"states": result.states, "depth": result.depth,
               "exhausted": result.exhausted, "stopped": result.stopped, "seconds": round(result.seconds, 2),
               "states_per_second": round(rate), "bounds": b.text(), "group": result.problem.group.size,
               "scope": result.problem.scope, "levels": result.levels}
    if as_json:
        print(json.dumps({"profile": cfg.profile, "flaws": list(cfg.flaws), **summary,
                          "results": [r.to_json() for r in res]}, indent=1))
        return
    console = Console() if sys.stdout.isatty() else Console(width=160)
    scope = f"; a smaller scope: {result.problem.scope}" if result.problem.scope else ""
    t = Table(title=f"dirproof bfs: profile {cfg.profile}, flaws: {', '.join(cfg.flaws) or 'none'}, "
                    f"bounds {b.text()}{scope}")
    for col in ("property", "verdict", "steps", "counterexample"):
        t.add_column(col)
    for r in res:
        t.add_row(r.property, r.status, str(r.steps), r.counterexample or "")
    console.print(t)
    console.print(f"{result.states} distinct states, depth {result.depth}, "
                  f"{'exhausted' if result.exhausted else 'stopped: ' + result.stopped}, "
                  f"{result.seconds:.2f} s, {rate:.0f} states/s, symmetry group {result.problem.group.size}")
    held = [r for r in res if r.status == "held"]
    if held:
        console.print(f"held: {held[0].detail}")


def _search(cfg, b, stage: Path, *, small: bool, symmetry: bool, seconds: float, workers: int, over_budget: bool,
            wanted: set, max_memory: Optional[int]):
    """The search (on the small scope with `small`) and its verdicts, counterexamples saved in `stage`."""
    from dirproof.bfs import ladder
    from dirproof.bfs.engine import results
    from dirproof.bfs.search import search
    from dirproof.bfs.symmetry import SYMMETRIES
    from dirproof.engines import EngineRequest
    from dirproof.model.next import ACTION_TYPES
    inst, kinds, scope = ladder.small(cfg) if small else (cfg, ACTION_TYPES, "")
    bar = progress_bar(sys.stderr.isatty())
    with bar if bar is not None else nullcontext():
        result = search(inst, b, tuple(PROPERTIES), over_budget=over_budget, symmetry=SYMMETRIES if symmetry else (),
                        seconds=seconds, stop_when=lambda found: bool(wanted & set(found)), workers=workers,
                        kinds=kinds, scope=scope, progress=reporter(bar, "dirproof bfs"), max_memory=max_memory)
    return result, results(EngineRequest(cfg, tuple(PROPERTIES), out_dir=stage, over_budget=over_budget), result)


@app.command()
def bfs(
    profile: str = typer.Option("entra", "--profile", help=f"Profile: {', '.join(PROFILES)}."),
    flaw: list[str] = typer.Option([], "--flaw", help="Seeded flaw to turn on (repeatable)."),
    sessions: Optional[int] = typer.Option(None, "--sessions", callback=in_range(*LIMITS["sessions"]),
                                           help="Override the profile's sessions (%d..%d)." % LIMITS["sessions"]),
    objects: Optional[int] = typer.Option(None, "--objects", callback=in_range(*LIMITS["objects"]),
                                          help="Override the profile's objects (%d..%d)." % LIMITS["objects"]),
    writes: Optional[int] = typer.Option(None, "--writes", min=0, help="Client writes per path (default 3)."),
    epochs: Optional[int] = typer.Option(None, "--epochs", min=1, help="Highest epoch (default 3)."),
    faults: Optional[int] = typer.Option(None, "--faults", min=0,
                                         help="Crash, disk, partition, region faults per path (default 2)."),
    days: Optional[int] = typer.Option(None, "--days", min=0,
                                       help="Highest day (default 0; retention + 1 with an object-layer flaw, "
                                            "the tombstone lifetime + 1 with a flaw of its lifetime)."),
    depth: Optional[int] = typer.Option(None, "--depth", min=0, help="Steps per path (default: none)."),
    unbounded: list[str] = typer.Option([], "--unbounded", help="Lift a bound (repeatable): " + ", ".join(BOUND_NAMES)),
    seconds: float = typer.Option(600.0, "--seconds", callback=in_range(*SECONDS_RANGE, " seconds"),
                                  help=f"Time budget of the search ({SECONDS_RANGE[0]:g}..{SECONDS_RANGE[1]:g})."),
    workers: int = typer.Option(1, "--workers", min=1, max=WORKERS_MAX,
                                help="Worker processes expanding each level (1..%d)." % WORKERS_MAX),
    max_memory: Optional[float] = typer.Option(
        None, "--max-memory", callback=in_range(0.01, 4096, " GB"),
        help="Stop the search, with verdicts for the levels it completed, once the process holds this many GB "
             "(default: 80% of this machine's memory)."),
    no_symmetry: bool = typer.Option(False, "--no-symmetry", help="Store every state, not one per orbit."),
    small: bool = typer.Option(False, "--small", help="Search the ladder's small scope: one session, one object, "
                               "the core steps and the seeded flaws' mechanisms (docs/bfs.md, The ladder); "
                               "counterexamples are replayed on the configuration asked for."),
    all_properties: bool = typer.Option(False, "--all", help="Do not stop when a seeded flaw's property breaks."),
    over_budget: bool = typer.Option(False, "--over-budget", help="Let faults exceed the fault budget."),
    out: Path = typer.Option(Path("counterexamples"), "--out", help="Folder for counterexample files."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of the table."),
) -> None:
    """Search every state within the bounds, breadth first: a violation comes
    with the shortest counterexample (within the bounds); an exhausted search
    says "held (exhaustive: N states, bounds ...)". Exit 1 when a property
    breaks, 0 otherwise."""
    from dirproof.bfs.engine import named
    over = {k: v for k, v in (("sessions", sessions), ("objects", objects)) if v is not None}
    try:
        cfg = make_config(profile, flaws=flaw, **over)
    except ConfigError as exc:
        fail(str(exc))
    b = _bounds(cfg, {"writes": writes, "epochs": epochs, "faults": faults, "days": days, "depth": depth}, unbounded)
    memory = None if max_memory is None else int(max_memory * 2**30)
    try:
        with staged_folder(out) as stage:  # refused before the search; published whole or not at all
            result, res = _search(cfg, b, stage, small=small, symmetry=not no_symmetry, seconds=seconds,
                                  workers=workers, over_budget=over_budget, max_memory=memory,
                                  wanted=set() if all_properties else named(cfg))
            moved = publish(stage, out)
    except OutputError as exc:
        fail(str(exc))
    res = [attrs.evolve(r, counterexample=moved.get(r.counterexample or "", r.counterexample)) for r in res]
    _print(cfg, b, result, res, as_json)
    raise typer.Exit(1 if any(r.status != "held" for r in res) else 0)
