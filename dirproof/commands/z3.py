"""`dirproof prove`, `dirproof bmc`, `dirproof witness`: the Z3 engine's pieces by hand.

Each runs on the transition relation derived from the model's own steps
(dirproof/symbolic) for one design: a profile (or a TOML variant) with flaws.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from dirproof.app import app, fail
from dirproof.config_file import ConfigFileError, load_config
from dirproof.model import ConfigError, make_config

from dirproof.commands.options import in_range
from dirproof.defaults import DEPTH_RANGE, SCOPE_RANGE
from dirproof.outputs import OutputError, check_folder

MAX_SCOPE = SCOPE_RANGE[1]  # beyond this the fixed-scope proof takes hours: ask for the parametric one
MAX_DEPTH = DEPTH_RANGE[1]


def _design(profile: str, flaws: list[str], config: Optional[Path]):
    try:
        return load_config(config, extra_flaws=flaws) if config is not None else make_config(profile, flaws=flaws)
    except (ConfigError, ConfigFileError) as exc:
        fail(str(exc))


def _scope(scope: Optional[tuple[int, int]]):
    from dirproof.proofs.induction import PROOF_SCOPE
    from dirproof.symbolic.states import Scope
    if scope is None:
        return PROOF_SCOPE
    log, epochs = scope
    for name, v in (("log length", log), ("epochs", epochs)):
        if not 1 <= v <= MAX_SCOPE:
            fail(f"--scope: {name} must be within 1..{MAX_SCOPE}, not {v}")
    return Scope(log=log, epochs=epochs)


def _known(props: list[str], allowed: tuple[str, ...]) -> None:
    bad = [p for p in props if p not in allowed]
    if bad:
        fail(f"no Z3 form here for {', '.join(bad)}; properties this command knows: {', '.join(allowed)}")


PROFILE = typer.Option("entra", "--profile", help="Profile (see `dirproof profiles`).")
FLAW = typer.Option([], "--flaw", help="Seeded flaw to turn on (repeatable; see `dirproof flaws`).")
CONFIG = typer.Option(None, "--config", help="A TOML design variant instead of a profile.")


@app.command()
def prove(
    profile: str = PROFILE, flaw: list[str] = FLAW, config: Optional[Path] = CONFIG,
    scope: Optional[tuple[int, int]] = typer.Option(None, "--scope", metavar="L E",
                                                    help=f"Logs of at most L entries, epochs up to E (1..{MAX_SCOPE}; "
                                                         "default 3 3)."),
    step: list[str] = typer.Option([], "--step", help="Check consecution over this step only (repeatable)."),
    invariant: list[str] = typer.Option([], "--invariant", help="Check this conjunct only (repeatable)."),
    drop: list[str] = typer.Option([], "--drop", help="Leave this conjunct out of the invariant (repeatable)."),
    no_symmetry: bool = typer.Option(False, "--no-symmetry", help="Do not reduce by the topology's symmetry."),
    houdini: bool = typer.Option(False, "--houdini", help="Drop what is not inductive until the rest is; say "
                                                          "what is proved."),
) -> None:
    """Inductive proof for one fixed scope: initiation and consecution, one
    obligation per (conjunct, step); a failing obligation is printed with its
    counterexample to induction as two model states. Exit 0 when inductive."""
    from dirproof.model import NEXT
    from dirproof.proofs.forms import REPLICATION
    from dirproof.proofs.houdini import prove as run_prove
    from dirproof.proofs.induction import induction
    from dirproof.proofs.show import induction_lines
    from dirproof.properties.invariants import INVARIANTS
    cfg, sc = _design(profile, flaw, config), _scope(scope)
    conjuncts = tuple(INVARIANTS) + REPLICATION
    _known(invariant + drop, conjuncts)
    unknown = [s for s in step if s not in {x.name for x in NEXT}]
    if unknown:
        fail(f"no step {', '.join(unknown)}; steps: {', '.join(x.name for x in NEXT)}")
    if houdini:
        pr = run_prove(cfg, sc)
        for p in REPLICATION:
            typer.echo(f"{p}: {'proved' if pr.proved(p) else 'not proved'} -- {pr.detail(p)}")
        for n, why in pr.dropped:
            typer.echo(f"dropped {n}: {why}")
        raise typer.Exit(0)
    rep = induction(cfg, sc, [n for n in conjuncts if n not in drop], steps=step or None,
                    only=invariant or None, symmetry=not no_symmetry)
    lines, code = induction_lines(rep)
    for line in lines:
        typer.echo(line)
    raise typer.Exit(code)


@app.command()
def bmc(
    prop: list[str] = typer.Option(..., "--property", help="Property to search a violation of (repeatable)."),
    profile: str = PROFILE, flaw: list[str] = FLAW, config: Optional[Path] = CONFIG,
    depth: int = typer.Option(8, "--depth", callback=in_range(*DEPTH_RANGE),
                              help=f"Longest execution searched (1..{MAX_DEPTH})."),
    no_budget: bool = typer.Option(False, "--no-budget", help="Let faults exceed the fault budget."),
    save: Optional[Path] = typer.Option(None, "--save", help="Save the counterexample file in this folder."),
) -> None:
    """Bounded model checking: the shortest execution that breaks a property,
    replayed on the model. Exit 1 when one is found, 0 when none to the depth."""
    from dirproof.proofs.bmc import SEARCHABLE
    from dirproof.proofs.bmc import bmc as search
    cfg = _design(profile, flaw, config)
    _known(prop, SEARCHABLE)
    if save is not None:
        try:
            check_folder(save, "--save")
        except OutputError as exc:
            fail(str(exc))
    from dirproof.interrupt import phase
    from dirproof.proofs.bmc import EncodingDisagreement
    phase("z3-bmc")
    try:
        res = search(cfg, tuple(prop), depth, budget=not no_budget)
    except EncodingDisagreement as exc:
        fail(f"the Z3 encoding and the model disagree: {exc}", 4)
    if not res.found:
        typer.echo(f"no execution of up to {res.depth} steps breaks {', '.join(prop)} ({res.seconds:.1f} s)")
        raise typer.Exit(0)
    assert res.trace is not None
    typer.echo(f"{res.property} breaks after {res.depth} steps ({res.seconds:.1f} s): {res.trace.message}")
    from dirproof.model import SPECS
    for i, a in enumerate(res.trace.steps, 1):
        typer.echo(f"  {i}. {SPECS[type(a)].text(a, cfg)}")
    if save is not None:
        from dirproof.z3_engine import save_counterexample
        typer.echo(f"saved {save_counterexample(cfg, res, save)}")
    raise typer.Exit(1)


@app.command()
def witness(
    prop: list[str] = typer.Option(..., "--property", help="Property whose subject to reach (repeatable)."),
    profile: str = PROFILE, flaw: list[str] = FLAW, config: Optional[Path] = CONFIG,
    depth: int = typer.Option(8, "--depth", callback=in_range(*DEPTH_RANGE),
                              help=f"Longest execution searched (1..{MAX_DEPTH})."),
) -> None:
    """Vacuity: the shortest execution that reaches what a property speaks of.
    Exit 0 when every subject is reached, 3 when one is not (its proof would be vacuous)."""
    from dirproof.model import SPECS
    from dirproof.proofs.houdini import witnesses
    from dirproof.properties.subjects import SUBJECTS
    cfg = _design(profile, flaw, config)
    _known(prop, tuple(SUBJECTS))
    from dirproof.interrupt import phase
    phase("z3-witnesses")
    found = witnesses(cfg, prop, depth)
    for p in prop:
        w = found[p]
        typer.echo(f"{p}: {w.goal}: " + (f"reached in {w.depth} steps" if w.found else f"not reached in {w.depth}"))
        for i, a in enumerate(w.steps, 1):
            typer.echo(f"  {i}. {SPECS[type(a)].text(a, cfg)}")
    raise typer.Exit(0 if all(w.found for w in found.values()) else 3)
