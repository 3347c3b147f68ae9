"""`dirproof check`: run the engines on a design and print one verdict per property."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dirproof.app import app, fail
from dirproof.config_file import ConfigFileError, load_config
from dirproof.engines import ENGINE_MODULES, EngineRequest, run
from dirproof.model import FLAWS, PROFILES, ConfigError, make_config
from dirproof.properties import PROPERTIES
from dirproof.defaults import DEFAULT_DEPTH, DEFAULT_EXAMPLES, DEFAULT_SECONDS, OBJECT_DEPTH
from dirproof.results import merge


# The engines `dirproof check` runs when none is named, strongest evidence first.
DEFAULT_ENGINES = ("z3", "hypothesis")


def _engines(names: list[str]) -> tuple[str, ...]:
    chosen: list[str] = []
    for n in names or ["all"]:
        if n == "all":
            chosen += [e for e in DEFAULT_ENGINES if e not in chosen]
        elif n in ENGINE_MODULES:
            chosen += [] if n in chosen else [n]
        else:
            fail(f"unknown engine {n!r}; known engines: {', '.join(ENGINE_MODULES)}, all")
    return tuple(chosen)


def _config(profile: str, flaws: list[str], config: Optional[Path]):
    try:
        if config is not None:
            return load_config(config, extra_flaws=flaws)
        return make_config(profile, flaws=flaws)
    except (ConfigError, ConfigFileError) as exc:
        fail(str(exc))


def _coverage_table(cov: dict) -> Table:
    """Situations with their counts; a reachability situation never reached is red."""
    t = Table(title=f"coverage (hypothesis): {cov['examples']} examples, {cov['steps']} steps")
    for col in ("situation", "property", "kind", "count"):
        t.add_column(col, no_wrap=col != "property")
    for s in cov["situations"]:
        kind = "reachability" if s["reachability"] else "interesting case"
        count = str(s["count"]) if s["count"] else ("[bold red]0 (not reached)[/]" if s["reachability"]
                                                     else "[yellow]0[/]")
        t.add_row(s["situation"], s["property"] or "", kind, count)
    return t


def _steps_line(cov: dict) -> str:
    parts = [f"{k} {n}" if n else f"[yellow]{k} 0[/]" for k, n in cov["step_counts"].items()]
    return "steps fired: " + ", ".join(parts)


def _run_engines(engines, request_for, show: bool):
    results = []
    if not show:
        for e in engines:
            results += run(e, request_for(e, None))
        return results
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[label]}"),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        for e in engines:
            task = bar.add_task(e, total=None, label="")
            results += run(e, request_for(e, lambda d, t, label, task=task: bar.update(
                task, completed=d, total=t or None, label=label)))
            bar.update(task, completed=1, total=1)
    return results


def _table(best: dict, cfg) -> Table:
    t = Table(title=f"dirproof check: profile {cfg.profile}, flaws: {', '.join(cfg.flaws) or 'none (safe design)'}")
    for col in ("property", "verdict", "engine", "evidence", "seconds", "counterexample"):
        t.add_column(col, no_wrap=col in ("property", "verdict", "engine"))
    style = {"violated": "bold red", "assumption-broken": "yellow", "proved": "bold green", "held": "green"}
    for pid in PROPERTIES:
        r = best.get(pid)
        if r is None:
            t.add_row(pid, "not checked", "", "", "", "")
            continue
        evidence = (f"{r.steps} steps" if r.status in ("violated", "assumption-broken")
                    else f"{r.examples} ex. / {r.steps or 0} steps" if r.engine == "hypothesis"
                    else r.detail)
        t.add_row(pid, f"[{style[r.status]}]{r.status}[/]", r.engine, evidence, f"{r.seconds:.1f}",
                  r.counterexample or "")
    return t


@app.command()
def check(
    profile: str = typer.Option("entra", "--profile", help=f"Profile: {', '.join(PROFILES)}."),
    flaw: list[str] = typer.Option([], "--flaw", help="Seeded flaw to turn on (repeatable); see `dirproof flaws`."),
    config: Optional[Path] = typer.Option(None, "--config", help="A TOML design variant (see docs/user-guide.md)."),
    engine: list[str] = typer.Option([], "--engine",
                                     help="Engine to run (repeatable): z3, hypothesis or all (default: all)."),
    examples: Optional[int] = typer.Option(None, "--examples", min=1,
                                           help=f"Hypothesis examples to explore (default {DEFAULT_EXAMPLES})."),
    seconds: Optional[float] = typer.Option(None, "--seconds", min=0.1,
                                            help="Time budget in seconds: of the Hypothesis exploration (instead "
                                                 f"of --examples), and of Z3's bounded search per property not "
                                                 f"proved (default {DEFAULT_SECONDS:.0f})."),
    depth: Optional[int] = typer.Option(None, "--depth", min=1,
                                        help=f"Z3 bounded-model-checking depth for a property not proved "
                                             f"(default {DEFAULT_DEPTH}; object steps for the object properties, "
                                             f"default {OBJECT_DEPTH})."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Fixed Hypothesis seed for a reproducible run."),
    over_budget: bool = typer.Option(False, "--over-budget",
                                     help="Let faults exceed the fault budget; violations then report "
                                          "as assumption-broken."),
    out: Path = typer.Option(Path("counterexamples"), "--out", help="Folder for counterexample files."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of the table."),
) -> None:
    """Check every property of a design and print one verdict per property:
    proved (unbounded Z3 proof), held (explored, no violation), violated (with a
    counterexample file to `dirproof replay`) or assumption-broken (beyond the
    fault budget). The strongest verdict over the engines wins. The Hypothesis
    engine also prints its coverage: how often each step fired and each named
    situation occurred. Exit status: 0 when every property holds, 1 when one is
    violated or its assumption broken, 2 for bad arguments or configuration, 3
    when nothing broke but the exploration did not reach one of its
    reachability situations (the run was too short to be evidence)."""
    if examples is not None and seconds is not None:
        fail("give --examples or --seconds, not both")
    engines = _engines(engine)
    cfg = _config(profile, flaw, config)

    coverage: dict = {}

    def request_for(e, progress):
        kw = {"progress": progress} if progress else {}
        return EngineRequest(cfg, tuple(PROPERTIES), examples=examples, seconds=seconds, depth=depth,
                             seed=seed, out_dir=out, over_budget=over_budget,
                             on_coverage=coverage.update, **kw)

    start = time.perf_counter()
    show = not as_json and sys.stderr.isatty()
    best = merge(_run_engines(engines, request_for, show))
    failed = any(r.status in ("violated", "assumption-broken") for r in best.values())
    unreached = coverage.get("unreached", [])
    if as_json:
        print(json.dumps({"profile": cfg.profile, "flaws": list(cfg.flaws), "engines": list(engines),
                          "seconds": round(time.perf_counter() - start, 2),
                          "results": [best[p].to_json() for p in PROPERTIES if p in best],
                          **({"coverage": coverage} if coverage else {})}, indent=1))
    else:
        console = Console() if sys.stdout.isatty() else Console(width=160)
        console.print(_table(best, cfg))
        if coverage:
            console.print(_coverage_table(coverage))
            console.print(_steps_line(coverage))
        if unreached and not failed:
            console.print(f"[bold red]inconclusive: the exploration never reached "
                          f"{', '.join(unreached)}; run longer (--examples, --seconds)[/]")
        expected = {p for f in cfg.flaws for p in FLAWS[f].caught_by}
        if expected and not expected & {p for p, r in best.items() if r.status == "violated"}:
            console.print(f"[yellow]note: none of {', '.join(sorted(expected))} broke; "
                            "a longer run (--seconds) may find it[/]")
    raise typer.Exit(1 if failed else 3 if unreached else 0)
