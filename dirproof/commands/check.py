"""`dirproof check`: run the engines on a design and print one verdict per property."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import attrs
import typer

from dirproof import interrupt
from dirproof.app import app, encoding_disagreement, fail
from dirproof.commands.options import config_or_fail, estimate_lines, in_range
from dirproof.commands.run_engines import Run, run_in_order
from dirproof.commands.verdicts import coverage_lines, summary, verdict_lines
from dirproof.defaults import (BFS_LEAD_SECONDS, DEFAULT_DEPTH, DEFAULT_EXAMPLES, DEFAULT_SECONDS, DEPTH_RANGE, EXAMPLES_RANGE,
                               OBJECT_DEPTH, SCOPE_RANGE, SECONDS_RANGE, SEED_RANGE)
from dirproof.engines import ENGINE_MODULES, ENGINE_ORDER
from dirproof.model import FLAWS, PROFILES
from dirproof.model.config import settings_changed
from dirproof.outputs import OutputError, publish, staged_folder
from dirproof.properties import ALL_PROPERTIES as PROPERTIES  # every machine: the partition, identity, cells
from dirproof.results import Contradiction, merge

# Exit status of `dirproof check` (docs/user-guide.md).
OK, FAILED, BAD_INPUT, INCONCLUSIVE, DISAGREE = 0, 1, 2, 3, 4


def _engines(names: list[str]) -> tuple[str, ...]:
    chosen: list[str] = []
    for n in names or ["all"]:
        if n == "all":
            chosen += [e for e in ENGINE_ORDER if e not in chosen]
        elif n in ENGINE_MODULES:
            chosen += [] if n in chosen else [n]
        else:
            fail(f"unknown engine {n!r}; known engines: {', '.join(ENGINE_MODULES)}, all")
    return tuple(chosen)


def _properties(names: list[str]) -> tuple[str, ...]:
    """The properties to judge, in catalogue order (all when none is named)."""
    unknown = [n for n in names if n not in PROPERTIES]
    if unknown:
        fail(f"unknown property {unknown[0]!r}; known properties: {', '.join(PROPERTIES)}")
    return tuple(p for p in PROPERTIES if not names or p in names)


def _selected(coverage: dict, chosen: tuple[str, ...]) -> dict:
    """The coverage with only the unreached situations of the chosen properties:
    a situation of a property not asked about cannot make the run inconclusive."""
    if not coverage or "unreached" not in coverage:
        return coverage
    owner = {s["situation"]: s.get("property") for s in coverage.get("situations", [])}
    return {**coverage, "unreached": [u for u in coverage["unreached"] if owner.get(u) in chosen]}


def _out_text(best: dict, cfg, run: Run, out: Path, coverage: dict, chosen: tuple[str, ...]) -> list[str]:
    changed = settings_changed(cfg)
    flaws = ", ".join(cfg.flaws) or ("none" if changed else "none (safe design)")
    if changed:
        flaws += "; settings other than the design's: " + ", ".join(f"{k} = {v}" for k, v in changed.items())
    asked = "" if len(chosen) == len(PROPERTIES) else f"; properties: {', '.join(chosen)}"
    lines = verdict_lines(f"dirproof check: profile {cfg.profile}, flaws: {flaws}{asked}", best, chosen,
                          run.why_not)
    if coverage:
        lines += coverage_lines(coverage)
    lines += [""] + [f"note: {n}" for n in run.notes]
    lines.append(summary(best, chosen, str(out.absolute())))
    return lines


def _verdict_code(best: dict, run: Run, coverage: dict, chosen: tuple[str, ...]) -> int:
    if any(r.status in ("violated", "assumption-broken") for r in best.values()):
        return FAILED
    unchecked = [p for p in chosen if p not in best]
    vacuous = [p for p, r in best.items() if r.status == "vacuous"]
    return INCONCLUSIVE if coverage.get("unreached") or unchecked or vacuous else OK


# The options of `dirproof check`, declared once (Typer reads them from the annotations).
ProfileOpt = Annotated[str, typer.Option("--profile", help=f"Profile: {', '.join(PROFILES)}.")]
FlawOpt = Annotated[list[str], typer.Option("--flaw", help="Seeded flaw to turn on (repeatable); see `dirproof flaws`.")]
ConfigOpt = Annotated[Optional[Path], typer.Option("--config", help="A TOML design variant (docs/user-guide.md).")]
EngineOpt = Annotated[list[str], typer.Option("--engine", help=f"Engine to run (repeatable): {', '.join(ENGINE_MODULES)} "
                                                             f"or all (default: all = {', '.join(ENGINE_ORDER)}, "
                                                             f"in that order; bfs then has {BFS_LEAD_SECONDS:g} s "
                                                             f"at most, a quarter of --seconds if less, on "
                                                             f"every design, the safe one too; the identity and "
                                                             f"cells machines take a quarter of that each with "
                                                             f"a flaw of theirs seeded, a twentieth otherwise, "
                                                             f"and the partition is left to the later engines "
                                                             f"when only identity or cells flaws are seeded).")]
ExamplesOpt = Annotated[Optional[int], typer.Option(
    "--examples", callback=in_range(*EXAMPLES_RANGE),
    help=f"Hypothesis examples to explore ({EXAMPLES_RANGE[0]}..{EXAMPLES_RANGE[1]}; default {DEFAULT_EXAMPLES}).")]
SecondsOpt = Annotated[Optional[float], typer.Option(
    "--seconds", callback=in_range(*SECONDS_RANGE, " seconds"),
    help=f"Time budget of the WHOLE run, every engine included ({SECONDS_RANGE[0]:g}..{SECONDS_RANGE[1]:g}): "
         f"what is not judged by then is reported 'not checked'. Without --examples the exploration uses half "
         f"of it (all of it if it runs alone). Default: none (Z3's bounded search then has its default "
         f"{DEFAULT_SECONDS:.0f} s per property).")]
DepthOpt = Annotated[Optional[int], typer.Option(
    "--depth", callback=in_range(*DEPTH_RANGE),
    help=f"Z3 bounded-model-checking depth for a property not proved, and the breadth-first search's depth "
         f"bound ({DEPTH_RANGE[0]}..{DEPTH_RANGE[1]}; "
         f"default {DEFAULT_DEPTH}; object steps for the object properties, default {OBJECT_DEPTH}).")]
ScopeOpt = Annotated[Optional[tuple[int, int]], typer.Option(
    "--scope", metavar="L E", callback=in_range(*SCOPE_RANGE),
    help=f"Scope of the Z3 proof: logs of at most L entries, epochs up to E ({SCOPE_RANGE[0]}..{SCOPE_RANGE[1]} "
         f"each; default 3 3). A proof holds for that scope only; a wider one takes longer.")]
SeedOpt = Annotated[Optional[int], typer.Option(
    "--seed", callback=in_range(*SEED_RANGE),
    help=f"Fixed Hypothesis seed for a reproducible run ({SEED_RANGE[0]}..{SEED_RANGE[1]}).")]
OverBudgetOpt = Annotated[bool, typer.Option(
    "--over-budget", help="Let faults exceed the fault budget; violations then report as assumption-broken.")]
KeepGoingOpt = Annotated[bool, typer.Option(
    "--keep-going", help="After a violation, still judge every other property (the Z3 proofs take a minute or "
                         "more). Default: stop there.")]
PropertyOpt = Annotated[list[str], typer.Option(
    "--property", metavar="ID", help="Judge only this property (repeatable; default: every one). A design with several "
                       "symptoms is searched for violations of the named ones only; see `dirproof properties`.")]
AllViolationsOpt = Annotated[bool, typer.Option(
    "--all-violations", help="The explorers go on past the first violation, so every property the design "
                             "breaks is found, not only the first (the exploration then takes a round more per "
                             "violated property). Later engines still skip what is violated; --keep-going "
                             "makes them judge the rest.")]
OutOpt = Annotated[Path, typer.Option("--out", help="Folder for counterexample files.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of the text.")]


@app.command()
def check(profile: ProfileOpt = "entra", flaw: FlawOpt = [], config: ConfigOpt = None,  # noqa: B006
          engine: EngineOpt = [], examples: ExamplesOpt = None, seconds: SecondsOpt = None,  # noqa: B006
          depth: DepthOpt = None, scope: ScopeOpt = None, seed: SeedOpt = None, over_budget: OverBudgetOpt = False,
          keep_going: KeepGoingOpt = False, out: OutOpt = Path("counterexamples"), as_json: JsonOpt = False,
          prop: PropertyOpt = [], all_violations: AllViolationsOpt = False) -> None:  # noqa: B006
    """Check every property of a design (or those named by --property) and
    print one verdict per property.

    Verdicts: proved for any size (the parametric proof: any number of
    replicas, regions, sessions, entries and epochs, or of objects, snapshots
    and days, once the running model is checked to refine it), proved for a
    fixed scope (a Z3 inductive proof, stated with it: the configuration,
    logs <= L, epochs <= E), vacuous (inductive, but what
    the property speaks of is never reached), held (explored or searched to
    a bound, no violation, no proof), violated (with a counterexample file
    to `dirproof replay`, and its length: shortest, or an upper bound) or
    assumption-broken (beyond the fault budget).

    The engines run in order, explorers first (the breadth-first search with
    a short budget, smaller scopes first: the shortest counterexample, within
    the scope it names, of most write-path, failover and session flaws, of
    every identity and cells flaw, and of a design variant's shallow
    breaks; then the exploration); once one has a violation of a
    property, the later ones skip it (Z3 only looks for a shorter
    counterexample), and without --keep-going the run stops judging the
    others. With --all-violations the explorers go on past their first
    violation, so every property the design breaks is reported.

    Exit status: 0 every property holds; 1 one is violated or its assumption
    broken; 2 bad arguments or configuration; 3 nothing broke but the run is
    not evidence (a reachability situation not reached, a vacuous proof, a
    property not checked in time); 4 the engines contradict each other (a
    proof and a counterexample of one property) or the Z3 encoding and the
    model disagree: a bug, please report it; 130 interrupted (143 SIGTERM).
    """
    if examples is not None and seconds is not None:
        fail("give --examples or --seconds, not both")
    engines = _engines(engine)
    chosen = _properties(prop)
    interrupt.phase("config")
    cfg = config_or_fail(profile, flaw, config)
    for line in estimate_lines(cfg, engines, scope, depth, seconds, examples):
        typer.echo(f"dirproof: {line}", err=True)
    interrupt.set_deadline(seconds)
    start = time.perf_counter()
    run, best, moved = _judge(cfg, engines, out, as_json, examples=examples, seconds=seconds, depth=depth,
                              scope=scope, seed=seed, over_budget=over_budget, keep_going=keep_going,
                              properties=chosen, all_violations=all_violations)
    best = {p: attrs.evolve(r, counterexample=moved.get(r.counterexample or "", r.counterexample))
            for p, r in best.items()}
    coverage = _selected(run.coverage, chosen)
    if as_json:
        typer.echo(json.dumps({"profile": cfg.profile, "flaws": list(cfg.flaws), "settings": settings_changed(cfg),
                               "engines": list(engines),
                               "seconds": round(time.perf_counter() - start, 2),
                               "properties": list(chosen),
                               "results": [best[p].to_json() for p in chosen if p in best],
                               "not_checked": {p: why for p, why in run.why_not.items() if p not in best},
                               "notes": run.notes, **({"coverage": coverage} if coverage else {})}, indent=1))
    else:
        _print_text(best, cfg, run, out, coverage, chosen)
    raise typer.Exit(_verdict_code(best, run, coverage, chosen))


def _print_text(best: dict, cfg, run: Run, out: Path, coverage: dict, chosen: tuple[str, ...]) -> None:
    lines = _out_text(best, cfg, run, out, coverage, chosen)
    failed = any(r.status in ("violated", "assumption-broken") for r in best.values())
    unreached = coverage.get("unreached", [])
    if unreached and not failed:
        lines.insert(-1, f"inconclusive: the exploration never reached {', '.join(unreached)}; "
                         "run longer (--examples, --seconds)")
    expected = {p for f in cfg.flaws for p in FLAWS[f].caught_by if p in chosen}
    if expected and not expected & {p for p, r in best.items() if r.status == "violated"}:
        lines.insert(-1, f"note: none of {', '.join(sorted(expected))} broke; a longer run may find it")
    typer.echo("\n".join(lines))
    if os.environ.get("DIRPROOF_PHASES"):
        interrupt.phase("done")


def _judge(cfg, engines, out: Path, as_json: bool, **options) -> tuple:
    """Run the engines into a staging folder, merge their verdicts and
    publish the counterexamples: (run, verdicts, where each file went)."""
    try:
        with staged_folder(out) as stage:
            run = run_in_order(cfg, engines, stage, show=not as_json and sys.stderr.isatty(), **options)
            try:
                best = merge(run.results)
            except Contradiction as exc:
                publish(stage, out)
                fail(str(exc).replace(str(stage), str(out.absolute())), DISAGREE)
            interrupt.phase("writing")
            moved = publish(stage, out)
    except OutputError as exc:
        fail(str(exc))
    except AssertionError as exc:  # only the encodings' disagreement, a bug of dirproof, is reported so
        encoding_disagreement(exc)
    return run, best, moved
