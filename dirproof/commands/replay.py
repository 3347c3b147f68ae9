"""`dirproof replay FILE`: re-run a saved counterexample on the model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from dirproof.app import app, fail
from dirproof.model import FormatError


def _bad(path: Path, message: str, as_json: bool, step: Optional[int] = None) -> None:
    """Bad input: one line on stderr (and a JSON object on stdout with --json), exit 2."""
    text = message if message.startswith(str(path)) else f"{path}: {message}"
    text = " ".join(text.split())
    if as_json:
        typer.echo(json.dumps({"file": str(path), "error": text, "step": step, "exit_code": 2}))
    fail(text, 2)


def _write(path: Path, text: str, what: str, as_json: bool) -> None:
    try:
        path.write_text(text)
    except OSError as exc:
        _bad(path, f"cannot write the {what} ({exc.strerror or exc})", as_json)


@app.command()
def replay(
    file: Path = typer.Argument(..., help="A counterexample file (dirproof-counterexample JSON)."),
    as_json: bool = typer.Option(False, "--json", help="Print the replay as JSON (for machines)."),
    svg: Optional[Path] = typer.Option(None, "--svg", metavar="OUT",
                                       help="Draw the trace as a space-time diagram in an SVG file."),
    html: Optional[Path] = typer.Option(None, "--html", metavar="OUT",
                                        help="The diagram and the step list in a self-contained HTML page."),
    itf: Optional[Path] = typer.Option(None, "--itf", metavar="OUT",
                                       help="Export the trace in the Informal Trace Format (Apalache ADR-015)."),
    pytest: bool = typer.Option(False, "--pytest",
                                help="Print a self-contained pytest function that replays the trace."),
    minimize: bool = typer.Option(False, "--minimize",
                                  help="Remove steps while the same property still breaks (delta debugging)."),
    out: Optional[Path] = typer.Option(None, "--out", metavar="FILE",
                                       help="With --minimize: write the minimized counterexample here "
                                            "(else print it)."),
) -> None:
    """Replay a counterexample: each step with what it changed, then the property that breaks.

    Exit status: 1 when a property breaks (the recorded violation reproduces, or
    another one does), 0 when every step runs and no property breaks, 2 for bad
    input (malformed or truncated file, unknown format version, action, flaw or
    property, impossible configuration, a step the model rejects).
    """
    from dirproof import counterexample as cxf
    from dirproof.replay import ReplayError, replay as run, replay_to_json, report_lines

    printers = [name for name, on in (("--json", as_json), ("--pytest", pytest),
                                      ("--minimize without --out", minimize and out is None)) if on]
    if len(printers) > 1:
        fail(f"{' and '.join(printers)} both print to standard output: choose one", 2)
    if out is not None and not minimize:
        fail("--out goes with --minimize", 2)

    try:
        cx = cxf.load(file)
    except FormatError as exc:
        _bad(file, str(exc), as_json)
    try:
        rp = run(cx)
    except ReplayError as exc:
        _bad(file, str(exc), as_json, exc.step)
    except ValueError as exc:
        _bad(file, str(exc), as_json)

    notes: list[str] = []
    minimized = None
    if minimize:
        from dirproof.replay import minimize as shrink
        try:
            minimized = shrink(cx)
        except ValueError as exc:
            notes.append(f"minimize: {exc}")
        else:
            notes.append(f"minimize: {len(cx.steps)} -> {len(minimized.cx.steps)} steps "
                         f"({minimized.tests} candidate traces tried)")
            if out is not None:
                try:
                    cxf.write(minimized.cx, out)
                except OSError as exc:
                    _bad(out, f"cannot write the minimized counterexample ({exc.strerror or exc})", as_json)
                notes.append(f"minimized counterexample written to {out}")
    if svg is not None:
        from dirproof.picture import svg as draw_svg
        _write(svg, draw_svg(rp), "picture", as_json)
        notes.append(f"picture written to {svg}")
    if html is not None:
        from dirproof.picture import html_page
        _write(html, html_page(rp, str(file)), "page", as_json)
        notes.append(f"page written to {html}")
    if itf is not None:
        from dirproof.itf import trace
        _write(itf, json.dumps(trace(rp, str(file)), indent=1) + "\n", "ITF trace", as_json)
        notes.append(f"ITF trace written to {itf}")

    if as_json:
        doc = replay_to_json(rp, str(file))
        doc["outputs"] = notes
        if minimized is not None:
            doc["minimized"] = {"steps": len(minimized.cx.steps), "tests": minimized.tests,
                                "file": str(out) if out else None}
        typer.echo(json.dumps(doc, indent=1))
    elif pytest:
        from dirproof.replay import pytest_source
        typer.echo(pytest_source(cx, str(file)), nl=False)
        for n in notes:
            typer.echo(n, err=True)
    elif minimize and out is None:
        if minimized is not None:
            typer.echo(cxf.dumps(minimized.cx), nl=False)
        for n in notes:
            typer.echo(n, err=True)
    else:
        for line in report_lines(rp, str(file)):
            typer.echo(line)
        for n in notes:
            typer.echo(n)
    raise typer.Exit(rp.outcome.exit_code)
