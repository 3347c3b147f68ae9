"""`dirproof replay FILE`: re-run a saved counterexample on the model, on its
own design or on another one (`--no-flaws`, `--flaw`, `--profile`,
`--config`, `--design`: does this design stop the trace?).

Every bad input is found before the replay runs and ends in one line
`dirproof: error: ...` on stderr with exit 2: option conflicts, output paths
that cannot be written (checked first), the file (missing, a folder or a
device, malformed, another format version), the design (unknown profile or
flaw, a bad TOML file), a trace that names what the design lacks.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any, NoReturn, Optional

import typer

from dirproof.app import app, fail
from dirproof.atomic import problem, write_text
from dirproof.model import PROFILES, FormatError

MAX_BYTES = 64 << 20  # counterexamples are kilobytes; anything this large is not one
# The sizes a replay accepts: far above any scope an engine explores, and
# low enough that building the initial state cannot take minutes.
LIMITS = {"datacenters": 100, "sessions": 100, "objects": 100, "attributes": 20, "values": 20,
          "snapshots_kept": 1000}
MAX_STEPS = 10_000  # engines find traces of tens of steps


def _bad(path: Optional[Path], message: str, as_json: bool, step: Optional[int] = None) -> NoReturn:
    """Bad input: one line on stderr (and a JSON object on stdout with --json), exit 2."""
    text = message if path is None or message.startswith(str(path)) else f"{path}: {message}"
    text = " ".join(text.split())
    if as_json:
        _echo(json.dumps({"file": str(path) if path else None, "error": text, "step": step, "exit_code": 2}))
    fail(text, 2)
    raise AssertionError("unreachable")  # fail() raises


def _echo(text: str, err: bool = False, nl: bool = True) -> None:
    """Print, turning a closed or full standard output into one line of error."""
    try:
        typer.echo(text, err=err, nl=nl)
        (sys.stderr if err else sys.stdout).flush()
    except OSError as exc:
        # Python would report the failed flush again at exit: point the stream at /dev/null first.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), (sys.stderr if err else sys.stdout).fileno())
        except (OSError, ValueError):  # not a real file descriptor (a test's captured output)
            pass
        fail(f"cannot write to standard {'error' if err else 'output'} ({exc.strerror or exc})", 2)


def _input_problem(path: Path) -> Optional[str]:
    """Why `path` cannot be read as an input file, or None (checked before reading)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return f"cannot read ({exc.strerror or exc})"
    if stat.S_ISDIR(st.st_mode):
        return "is a folder, not a counterexample file"
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file (a device, pipe or socket)"
    if st.st_size > MAX_BYTES:
        return f"is {st.st_size >> 20} MB, too large for a counterexample file (at most {MAX_BYTES >> 20} MB)"
    if not os.access(path, os.R_OK):
        return "cannot read (permission denied)"
    return None


def _check_outputs(outputs: dict[str, Optional[Path]], as_json: bool, file: Path) -> None:
    """Refuse outputs that cannot be written, or that would overwrite the
    counterexample with a picture (--out may: a minimization in place)."""
    seen: dict[str, str] = {}
    for option, path in outputs.items():
        if path is not None and option != "--out" and os.path.realpath(path) == os.path.realpath(file):
            _bad(path, f"{option} names the counterexample file itself", as_json)
        if path is None:
            continue
        why = problem(path)
        if why:
            _bad(path, f"{option}: {why}", as_json)
        key = os.path.realpath(path)
        if key in seen:
            _bad(path, f"{seen[key]} and {option} name the same file", as_json)
        seen[key] = option


def _conflicts(as_json: bool, pytest: bool, minimize: bool, out: Optional[Path], choice: Any) -> None:
    """Options that contradict each other (before any file is touched)."""
    from dirproof.replay import DesignError, check_choice
    printers = [name for name, on in (("--json", as_json), ("--pytest", pytest),
                                      ("--minimize without --out", minimize and out is None)) if on]
    if len(printers) > 1:
        fail(f"{' and '.join(printers)} both print to standard output: choose one", 2)
    if out is not None and not minimize:
        fail("--out goes with --minimize", 2)
    try:
        check_choice(choice)
    except DesignError as exc:
        fail(str(exc), 2)
    if choice.given and (minimize or pytest):
        fail(f"{'--minimize' if minimize else '--pytest'} works on the recorded design: give it without "
             "--design, --profile, --flaw, --no-flaws or --config", 2)


def _load(file: Path, as_json: bool) -> Any:
    from dirproof import counterexample as cxf
    why = _input_problem(file)
    if why:
        _bad(file, why, as_json)
    try:
        return cxf.load(file)
    except FormatError as exc:
        _bad(file, str(exc), as_json)
    except (RecursionError, MemoryError, ValueError) as exc:  # absurdly nested or huge JSON
        _bad(file, f"not a counterexample file ({type(exc).__name__})", as_json)


def _size_problem(cfg: Any) -> Optional[str]:
    for name, top in LIMITS.items():
        value = getattr(cfg, name, 0)
        n = len(value) if isinstance(value, (tuple, list)) else value
        if isinstance(n, int) and n > top:
            return f"{name} = {n} is out of range: a replay takes at most {top}"
    return None


def _design(cx: Any, choice: Any, file: Path, as_json: bool) -> Any:
    """The design to replay on (None: the recorded one), every problem one line."""
    from dirproof.replay import choose_design
    toml = choice.config if choice.config is not None else \
        Path(choice.design) if choice.design and choice.design.endswith(".toml") else None
    if toml is not None:
        why = _input_problem(toml)
        if why:
            _bad(toml, why.replace("counterexample file", "design file"), as_json)
    try:
        return choose_design(cx.config, choice)
    except ValueError as exc:  # ConfigError, ConfigFileError, DesignError
        _bad(None, f"design to replay on: {exc}", as_json)
    except OSError as exc:
        _bad(toml, f"cannot read ({exc.strerror or exc})", as_json)


def _write(path: Path, text: str, what: str, as_json: bool) -> None:
    try:
        write_text(path, text)
    except OSError as exc:
        _bad(path, f"cannot write the {what} ({exc.strerror or exc})", as_json)


def _outputs(rp: Any, file: Path, svg: Optional[Path], html: Optional[Path], itf: Optional[Path],
             as_json: bool) -> list[str]:
    notes = []
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
    return notes


def _identity_limits(cx: Any, file: Path, as_json: bool, **asked: Any) -> None:
    """--minimize knows the partition only: refuse it for a counterexample of
    the identity or cells layer (its engine already made it 1-minimal)."""
    from dirproof.properties import layer_of
    wanted = [f"--{k}" for k, v in asked.items() if v]
    if layer_of(cx.property) != "partition" and wanted:
        _bad(file, f"{', '.join(wanted)}: not available for a counterexample of the {layer_of(cx.property)} layer "
                   f"({cx.property}); --svg, --html, --itf, --json and --pytest are", as_json)


def _minimize(cx: Any, out: Optional[Path], as_json: bool) -> tuple[Any, list[str]]:
    from dirproof import counterexample as cxf
    from dirproof.replay import minimize as shrink
    try:
        minimized = shrink(cx)
    except ValueError as exc:
        return None, [f"minimize: {exc}"]
    notes = [f"minimize: {len(cx.steps)} -> {len(minimized.cx.steps)} steps "
             f"({minimized.tests} candidate traces tried)"]
    if out is not None:
        _write(out, cxf.dumps(minimized.cx), "minimized counterexample", as_json)
        notes.append(f"minimized counterexample written to {out}")
    return minimized, notes


def _print(rp: Any, cx: Any, file: Path, as_json: bool, pytest: bool, minimized: Any, show_min: bool,
           out: Optional[Path], notes: list[str]) -> None:
    from dirproof import counterexample as cxf
    from dirproof.replay import pytest_source, replay_to_json, report_lines
    if as_json:
        doc = replay_to_json(rp, str(file))
        doc["outputs"] = notes
        if minimized is not None:
            doc["minimized"] = {"steps": len(minimized.cx.steps), "tests": minimized.tests,
                                "file": str(out) if out else None}
        _echo(json.dumps(doc, indent=1))
        return
    if pytest or show_min:
        if pytest:
            _echo(pytest_source(cx, str(file)), nl=False)
        elif minimized is not None:
            _echo(cxf.dumps(minimized.cx), nl=False)
        for n in notes:
            _echo(n, err=True)
        return
    _echo("\n".join(report_lines(rp, str(file)) + notes))


# The options that name another design to replay on (dirproof/replay/design.py).
DESIGN: Any = typer.Option(
    None, "--design", metavar="D",
    help="Replay on this design instead of the recorded one: PROFILE or PROFILE+FLAW+FLAW... "
         "(that profile with exactly those flaws), or a .toml design variant.")
NO_FLAWS: Any = typer.Option(False, "--no-flaws",
                             help="Replay on the recorded design with every flaw removed (the safe design).")
FLAW: Any = typer.Option([], "--flaw", metavar="F",
                         help="Replay on the recorded design with exactly these flaws (repeatable).")
PROFILE: Any = typer.Option(None, "--profile", metavar="P",
                            help=f"Replay on this profile's topology ({', '.join(PROFILES)}).")
CONFIG: Any = typer.Option(None, "--config", metavar="TOML",
                           help="Replay on a TOML design variant (as `dirproof check --config`).")


@app.command()
def replay(
    file: Path = typer.Argument(..., help="A counterexample file (dirproof-counterexample JSON)."),
    as_json: bool = typer.Option(False, "--json", help="Print the replay as JSON (for machines)."),
    design: Optional[str] = DESIGN,
    no_flaws: bool = NO_FLAWS,
    flaw: list[str] = FLAW,
    profile: Optional[str] = PROFILE,
    config: Optional[Path] = CONFIG,
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

    On the recorded design: exit 1 when a property breaks (the recorded
    violation reproduces, or another one does), 0 when every step runs and no
    property breaks, 2 for bad input (malformed or truncated file, unknown
    format version, action, flaw or property, impossible configuration, a
    step the model rejects).

    On another design (--design, --no-flaws, --flaw, --profile, --config):
    exit 0 when the design refutes the trace ("refuted at step N" with the
    guard that refuses the step, or every step runs and nothing breaks), 1
    when a property still breaks, 2 for bad input (as above, and a trace that
    names a replica, session or object the design lacks).
    """
    from dirproof.replay import DesignChoice, ReplayError, replay as run

    choice = DesignChoice(design, profile, tuple(flaw), no_flaws, config)
    _conflicts(as_json, pytest, minimize, out, choice)
    _check_outputs({"--svg": svg, "--html": html, "--itf": itf, "--out": out}, as_json, file)
    cx = _load(file, as_json)
    _identity_limits(cx, file, as_json, minimize=minimize)
    other = _design(cx, choice, file, as_json)
    if len(cx.steps) > MAX_STEPS:
        _bad(file, f"{len(cx.steps)} steps is out of range: a replay takes at most {MAX_STEPS}", as_json)
    for cfg, where in ((cx.config, file), (other, None)):
        why = None if cfg is None else _size_problem(cfg)
        if why:
            _bad(where, why if where else f"design to replay on: {why}", as_json)
    try:
        rp = run(cx, other)
    except ReplayError as exc:  # on the recorded design: the file, or the model, is not what it was
        _bad(file, f"{exc} (to ask whether another design refutes the trace: --design, --no-flaws, --flaw, "
                   "--profile or --config)", as_json, exc.step)
    except ValueError as exc:  # TraceDoesNotFit (with its step), an unknown property
        _bad(file, str(exc), as_json, getattr(exc, "step", None))

    minimized, notes = _minimize(cx, out, as_json) if minimize else (None, [])
    notes += _outputs(rp, file, svg, html, itf, as_json)
    _print(rp, cx, file, as_json, pytest, minimized, minimize and out is None, out, notes)
    raise typer.Exit(rp.outcome.exit_code)
