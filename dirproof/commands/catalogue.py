"""`dirproof flaws`, `dirproof profiles`, `dirproof properties`: what the suite knows."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from dirproof.app import app
from dirproof.model import FLAWS, PROFILES
from dirproof.properties import PROPERTIES


@app.command()
def flaws() -> None:
    """List the seeded flaws: what each turns off and what must catch it."""
    t = Table("flaw", "turns off", "caught by", title="Seeded flaws (design.md §5)")
    for f in FLAWS.values():
        t.add_row(f.id, f.turns_off, ", ".join(f.caught_by))
    Console().print(t)


@app.command()
def profiles() -> None:
    """List the configuration profiles."""
    t = Table("profile", "topology and scope", title="Profiles")
    for name, text in PROFILES.items():
        t.add_row(name, text)
    Console().print(t)


@app.command("properties")
def properties_() -> None:
    """List the properties with their statements and assumptions."""
    t = Table("property", "statement", "assumes", title="Properties (design.md §4)")
    for p in PROPERTIES.values():
        t.add_row(p.id, p.statement, ", ".join(p.assumptions))
    Console().print(t)
