"""The Typer application that every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="dirproof",
    help="Verify a single-master, geo-replicated directory service design "
         "(the Entra ID architecture): model, properties, Hypothesis exploration and Z3 proofs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(message: str, code: int = 2) -> "typer.Exit":
    """Print a one-line error to stderr and exit with `code` (2: bad input)."""
    typer.echo(f"dirproof: error: {message}", err=True)
    raise typer.Exit(code)
