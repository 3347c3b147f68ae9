"""Entry point of the `dirproof` command."""

from __future__ import annotations

from typing import Optional

import typer

from dirproof import __version__
from dirproof.app import app
from dirproof.commands import catalogue, check, review  # noqa: F401  (registers commands)
from dirproof.commands import conform, pg, replay, z3  # noqa: F401
from dirproof.commands import bfs, parametric  # noqa: F401


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dirproof {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(version: Optional[bool] = typer.Option(
        None, "--version", callback=_version, is_eager=True, help="Print the version and exit.")) -> None:
    """Verify a single-master, geo-replicated directory service design."""


def main() -> None:
    app()


if __name__ == "__main__":
    main()
