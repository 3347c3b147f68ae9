"""`dirproof review`: write the design-review report."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from dirproof import interrupt
from dirproof.app import app, encoding_disagreement, fail
from dirproof.commands.options import in_range
from dirproof.config_file import ConfigFileError, load_config
from dirproof.defaults import EXAMPLES_RANGE
from dirproof.model import ConfigError, make_config
from dirproof.results import Contradiction
from dirproof.outputs import OutputError, check_file, publish, staged_folder


@app.command()
def review(
    out: Path = typer.Option(Path("docs/review.md"), "--out", help="Where to write the report (Markdown); "
                                                                   "traces and pictures go in the folder of "
                                                                   "the same name beside it."),
    profile: str = typer.Option("entra", "--profile", help="Profile to review (see `dirproof profiles`)."),
    config: Optional[Path] = typer.Option(None, "--config", help="A TOML design variant instead of a profile."),
    examples: Optional[int] = typer.Option(None, "--examples", callback=in_range(*EXAMPLES_RANGE),
                                           help=f"Hypothesis examples per design ({EXAMPLES_RANGE[0]}.."
                                                f"{EXAMPLES_RANGE[1]}; default: the engine's)."),
) -> None:
    """Write the design review: every property with its source, assumptions and
    evidence; the matrix of every seeded flaw against every property, with
    counterexample traces and pictures (saved beside the report); the fault
    model; the scope of each proof. The safe design runs through Z3 and
    Hypothesis; each seeded flaw through Hypothesis only (three fixed seeds,
    the shortest trace kept); Z3's shortest counterexamples per flaw are in
    docs/z3.md. Takes several minutes. The report and its folder are written
    only at the end: an interrupted review (exit 130, 143 for SIGTERM)
    leaves the old ones in place."""
    from dirproof.review import gather, relocate, write

    try:
        cfg = load_config(config) if config else make_config(profile)
    except (ConfigError, ConfigFileError) as exc:
        fail(str(exc))
    if cfg.flaws:
        fail("a review starts from the safe design: remove the flaws from the configuration")
    folder = out.parent / out.stem
    err = Console(stderr=True)
    try:
        check_file(out)
        with staged_folder(folder) as stage:
            with err.status("reviewing") as status:
                def progress(what: str) -> None:
                    interrupt.phase(what.split()[0])
                    status.update(f"reviewing: {what}")
                rv = gather(cfg, examples=examples, out_dir=stage, progress=progress)
            interrupt.phase("writing")
            rv = relocate(rv, publish(stage, folder))
            path = write(rv, out)
    except OutputError as exc:
        fail(str(exc))
    except AssertionError as exc:  # only the encodings' disagreement, a bug of dirproof, is reported so
        encoding_disagreement(exc)
    except Contradiction as exc:
        fail(str(exc), 4)
    err.print(f"review written to {path} (traces and pictures in {folder}/)")
