"""`dirproof flaws`, `dirproof profiles`, `dirproof properties`: what the suite
knows, one entry per block, ids on a line of their own (never cut, ready to
copy), text wrapped to the terminal."""

from __future__ import annotations

import typer

from dirproof.app import app
from dirproof.commands.verdicts import wrap
from dirproof.model import FLAWS, PROFILES
from dirproof.properties import ALL_PROPERTIES as PROPERTIES  # every machine: the partition, identity, cells


def _entry(ident: str, *parts: str) -> list[str]:
    lines = [ident]
    for part in parts:
        lines += wrap(part)
    return lines


@app.command()
def flaws() -> None:
    """List the seeded flaws (design.md §5): what each turns off and what must catch it."""
    lines = ["Seeded flaws (design.md §5): dirproof check --flaw ID", ""]
    for f in FLAWS.values():
        lines += _entry(f.id, f"turns off: {f.turns_off}", f"caught by: {', '.join(f.caught_by)}")
    typer.echo("\n".join(lines))


@app.command()
def profiles() -> None:
    """List the configuration profiles."""
    lines = ["Profiles: dirproof check --profile ID", ""]
    for name, text in PROFILES.items():
        lines += _entry(name, text)
    typer.echo("\n".join(lines))


@app.command("properties")
def properties_() -> None:
    """List the properties (design.md §4) with their statements and assumptions."""
    lines = ["Properties (design.md §4)", ""]
    for p in PROPERTIES.values():
        lines += _entry(p.id, p.statement, f"seed fact ({', '.join(p.seeds)}): {p.seed_fact}",
                        f"assumes: {', '.join(p.assumptions) or 'nothing beyond the model'}")
    typer.echo("\n".join(lines))
