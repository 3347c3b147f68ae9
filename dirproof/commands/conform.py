"""`dirproof conform LOG`: judge an event log against the history properties
and, where it has protocol events, against the model's behaviours."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from dirproof.app import app, fail
from dirproof.commands.options import in_range
from dirproof.outputs import OutputError, check_file


@app.command()
def conform(
    log: Path = typer.Argument(..., help="An event log: newline-delimited JSON, one event per line "
                                         "(docs/conformance.md)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of text."),
    svg: Optional[Path] = typer.Option(None, "--svg", metavar="OUT",
                                       help="Draw the first violation (the log lines that show it) as an SVG "
                                            "space-time diagram."),
    behaviour: bool = typer.Option(True, "--behaviour/--no-behaviour",
                                   help="Where the log has protocol events, also check that it is a behaviour of "
                                        "the model with the header's design (default: on)."),
    depth: Optional[int] = typer.Option(None, "--depth", callback=in_range(0, 8),
                                        help="Hidden model steps tried before each line (0..8; default 3)."),
    frontier: Optional[int] = typer.Option(None, "--frontier", callback=in_range(1, 100_000),
                                           help="Model states kept after each line (1..100000; default 400)."),
) -> None:
    """Check an event log of a real system (or of the model) against the
    properties that speak of histories: no-acked-write-lost, one-history,
    read-your-writes, monotonic-reads, no-read-of-lost-write. Where the log
    has protocol events (promote, crash, recover, rejoin, caught-up), also
    search the model for a behaviour that explains every line, with a bounded
    number of hidden steps per line and a bounded frontier; a failure names
    the last line matched and the model's reasons why the next cannot happen.
    Violations are printed with the log lines that show them. Exit status: 0
    every judged property holds (and the log is a behaviour), 1 a property is
    violated or the log is not a behaviour of the model, 2 bad input (a
    malformed line is named by its number), 3 the behaviour search was cut
    off by its frontier before it could decide and nothing else broke."""
    from dirproof.conform.behaviour import BehaviourInputError
    from dirproof.conform.events import LogError, read_log
    from dirproof.conform.report import judge, text_lines, to_json

    if svg is not None:
        try:
            check_file(svg, "--svg")
        except OutputError as exc:
            fail(str(exc))
    try:
        parsed = read_log(log)
    except LogError as exc:
        fail(f"{log}: {exc}")
    except OSError as exc:
        fail(f"{log}: cannot read the log ({exc.strerror or exc})")
    try:
        verdict = judge(parsed, behaviour=behaviour, depth=depth, frontier=frontier)
    except BehaviourInputError as exc:
        fail(f"{log}: {exc}")
    if svg is not None:
        from dirproof.conform.picture import svg as draw
        try:
            svg.write_text(draw(verdict))
        except OSError as exc:
            fail(f"{svg}: cannot write the picture ({exc.strerror or exc})")
    if as_json:
        typer.echo(json.dumps(to_json(verdict, str(log)), indent=1))
    else:
        typer.echo("\n".join(text_lines(verdict, str(log))))
    raise typer.Exit(verdict.exit_code)
