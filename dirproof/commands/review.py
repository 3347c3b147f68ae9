"""`dirproof review`: write the design-review report."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from dirproof.app import app, fail
from dirproof.config_file import ConfigFileError, load_config
from dirproof.model import ConfigError, make_config


@app.command()
def review(
    out: Path = typer.Option(Path("docs/review.md"), "--out", help="Where to write the report (Markdown)."),
    profile: str = typer.Option("entra", "--profile", help="Profile to review (see `dirproof profiles`)."),
    config: Optional[Path] = typer.Option(None, "--config", help="A TOML design variant instead of a profile."),
    examples: Optional[int] = typer.Option(None, "--examples", min=1,
                                           help="Hypothesis examples per design (default: the engine's)."),
) -> None:
    """Write the design review: every property with its source, assumptions and
    evidence; the matrix of every seeded flaw against every property, with
    counterexample traces and pictures (saved beside the report); the fault
    model; the scope of each proof. Runs the safe design and each flaw through
    every engine, with a fixed seed."""
    from dirproof.review import gather, write

    try:
        cfg = load_config(config) if config else make_config(profile)
    except (ConfigError, ConfigFileError) as exc:
        fail(str(exc))
    if cfg.flaws:
        fail("a review starts from the safe design: remove the flaws from the configuration")
    err = Console(stderr=True)
    folder = out.parent / out.stem
    with err.status("reviewing") as status:
        rv = gather(cfg, examples=examples, out_dir=folder,
                    progress=lambda what: status.update(f"reviewing: {what}"))
    path = write(rv, out)
    err.print(f"review written to {path} (traces and pictures in {folder}/)")
