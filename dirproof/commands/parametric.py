"""`dirproof prove-any` (also `python -m dirproof.parametric`): the parametric
proof of the replication properties, for any number of replicas, regions,
sessions, log entries and epochs (docs/parametric.md).

Exit 0 when every obligation is proved, 1 when one fails (each failure
names the invariant and the transition and shows the counterexample to
induction), 2 on bad input, 3 when the obligations leave EPR or a
transition is not shown enabled in a state of the invariant (refine.witnesses).
"""

from __future__ import annotations

from typing import Optional

import typer

from dirproof.app import app, fail


def _layer(objects: bool):
    """(transitions, explanations, formulas, prove, witnesses) of the replication form or the object layer's."""
    if objects:
        from dirproof.parametric import objinvariants, objproof, objrefine, objsteps
        return (objsteps.TRANSITIONS, lambda fl: {n: (g, why) for n, (g, why) in objinvariants.EXPLAIN.items()},
                objproof.formulas, objproof.prove, objrefine.witnesses)
    from dirproof.parametric import induction, invariants, protocol, refine
    return protocol.TRANSITIONS, invariants.explanations, induction.formulas, induction.prove, refine.witnesses


def _check_names(flaws: list[str], transitions: list[str], invariants: list[str], objects: bool = False) -> frozenset:
    from dirproof.model import FLAWS
    TRANSITIONS, explanations = _layer(objects)[:2]
    fl = frozenset(flaws)
    for kind, given, known in (("flaw", flaws, list(FLAWS)), ("transition", transitions, list(TRANSITIONS)),
                               ("invariant", invariants, list(explanations(fl)))):
        bad = [g for g in given if g not in known]
        if bad:
            fail(f"no {kind} {', '.join(bad)}; known: {', '.join(known)}")
    return fl


def _listing(fl: frozenset, objects: bool = False) -> None:
    TRANSITIONS, explanations = _layer(objects)[:2]
    typer.echo("transitions: " + ", ".join(TRANSITIONS))
    for name, (group, why) in explanations(fl).items():
        typer.echo(f"{name} [{group}]: {why}")


def _lint(fl: frozenset, objects: bool = False) -> None:
    from dirproof.parametric import epr
    formulas = _layer(objects)[2]
    try:
        edges = epr.lint(formulas(fl))
    except epr.NotEPR as exc:
        typer.echo(f"not in EPR: {exc}")
        raise typer.Exit(3)
    for (a, b), why in sorted(edges.items()):
        typer.echo(f"{a} -> {b}: {'; '.join(sorted(why))}")
    typer.echo("no cycle; sorts in order: " + " < ".join(epr.order(edges)))


def prove_any(
    flaw: list[str] = typer.Option([], "--flaw", help="Seeded flaw to turn on (repeatable; see `dirproof flaws`)."),
    transition: list[str] = typer.Option([], "--transition", help="Check this transition only (repeatable)."),
    invariant: list[str] = typer.Option([], "--invariant", help="Check this invariant only (repeatable)."),
    all_failures: bool = typer.Option(False, "--all-failures", help="Go on after a transition's first failure."),
    no_minimize: bool = typer.Option(False, "--no-minimize", help="Show counterexamples as found, unshrunk."),
    timeout: float = typer.Option(120.0, "--timeout", min=1.0, help="Seconds per obligation before 'unknown'."),
    lint: bool = typer.Option(False, "--lint", help="Print the quantifier-alternation graph and exit."),
    list_: bool = typer.Option(False, "--list", help="List the transitions and invariants and exit."),
    quiet: bool = typer.Option(False, "--quiet", help="Print failures and the summary only."),
    objects: bool = typer.Option(False, "--objects", help="The object layer's form (any number of objects, "
                                                          "snapshots and days) instead of replication's."),
) -> None:
    """Prove the replication properties for every size (parametric, in
    EPR): initiation, consecution with one solver frame per (invariant,
    transition), and the properties from the invariant; with --objects, the
    object properties over one history for any number of objects,
    snapshots and days."""
    from dirproof.interrupt import phase
    from dirproof.parametric import epr, induction
    fl = _check_names(flaw, transition, invariant, objects)
    if list_:
        _listing(fl, objects)
        raise typer.Exit(0)
    if lint:
        _lint(fl, objects)
        raise typer.Exit(0)
    induction.TIMEOUT_MS, induction.MINIMIZE = int(timeout * 1000), not no_minimize
    prove, witnesses = _layer(objects)[3:]
    phase("z3-parametric")
    try:
        rep = prove(fl, transitions=transition or None, only=invariant or None, first_failure=not all_failures)
    except epr.NotEPR as exc:
        typer.echo(f"not in EPR: {exc}")
        raise typer.Exit(3)
    _print(rep, quiet)
    if not rep.ok:
        raise typer.Exit(1)
    phase("z3-parametric-witnesses")
    live = witnesses(fl)
    unknown = [t for t in (transition or live) if live[t] != "yes"]
    if unknown:
        typer.echo(f"possibly vacuous: no model step shows {', '.join(unknown)} enabled in a state of the invariant")
        raise typer.Exit(3)
    typer.echo("every transition checked is taken by a model step from a state of the invariant (not vacuous)")


def _print(rep, quiet: bool) -> None:
    for o in rep.obligations:
        if o.ok and quiet:
            continue
        where = f" / {o.transition}" if o.transition else ""
        typer.echo(f"{o.kind:11} {o.invariant}{where}: {o.status} ({o.seconds:.2f} s)")
        if not o.ok:
            typer.echo(o.headline() + (":" if o.cti else f" ({o.status})"))
            for line in o.cti.splitlines():
                typer.echo("    " + line)
    bad = rep.failures()
    typer.echo(f"{len(rep.obligations) - len(bad)} of {len(rep.obligations)} obligations proved in "
               f"{rep.seconds:.1f} s" + (f"; flaws: {', '.join(sorted(rep.flaws))}" if rep.flaws else ""))
    if not bad and not any(o.kind == "safety" for o in rep.obligations):
        typer.echo("(a part of the proof only: no property is claimed)")


app.command("prove-any")(prove_any)


def main(argv: Optional[list[str]] = None) -> None:
    standalone = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    standalone.command()(prove_any)
    standalone(args=argv, prog_name="python -m dirproof.parametric")
