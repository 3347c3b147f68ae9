"""`dirproof pg`: run the PostgreSQL harness and judge the log it writes."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Optional

import typer

from dirproof.app import app, fail
from dirproof.commands.options import in_range
from dirproof.outputs import OutputError, check_file

pg_app = typer.Typer(help="Check a real PostgreSQL partition (primary, synchronous and asynchronous standbys "
                          "on loopback) against the properties: see docs/conformance.md.",
                     no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                     rich_markup_mode=None, context_settings={"help_option_names": ["-h", "--help"]})
app.add_typer(pg_app, name="pg")


class _Signalled(KeyboardInterrupt):
    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _on_term(signum, frame):
    """The harness stops every server on a KeyboardInterrupt: raise one at
    once (not at the next safe point, as dirproof/interrupt.py does), and
    remember which signal it was for the exit status."""
    raise _Signalled(signum)


@pg_app.command("configs")
def configs() -> None:
    """List the real configurations: the safe one and those that mirror a seeded flaw."""
    from dirproof.pg.cluster import CONFIGS
    for k in CONFIGS.values():
        typer.echo(f"{k.name:20} mirrors {', '.join(k.mirrors) or 'none (safe)':22} {k.what}")


@pg_app.command("run")
def run(
    config: str = typer.Option("safe", "--config", help="Real configuration (see `dirproof pg configs`)."),
    ops: int = typer.Option(60, "--ops", callback=in_range(10, 10_000),
                            help="Client operations (writes, reads) in the run (10..10000)."),
    kills: int = typer.Option(1, "--kills", callback=in_range(0, 3),
                              help="kill -9 of the primary, each followed by a failover (0..3)."),
    stops: int = typer.Option(2, "--stops", callback=in_range(0, 5), help="Standbys stopped and resumed (0..5)."),
    seed: int = typer.Option(0, "--seed", callback=in_range(0, 2**32 - 1),
                             help="Seed of the workload and fault schedule (0..4294967295)."),
    out: Path = typer.Option(Path("pg-events.jsonl"), "--out", help="Where the event log goes."),
    svg: Optional[Path] = typer.Option(None, "--svg", metavar="OUT", help="Draw the first violation as SVG."),
    behaviour: bool = typer.Option(True, "--behaviour/--no-behaviour",
                                   help="Also check the log is a behaviour of the model with the mirrored design."),
) -> None:
    """Start four PostgreSQL servers on loopback (as an unprivileged user, in a
    temporary directory), run a workload of directory writes and session reads
    with faults, write the event log, stop every server, then judge the log as
    `dirproof conform` does. Exit status as `dirproof conform` (0 holds, 1
    violated, 3 behaviour search inconclusive); 2 for bad arguments, or when
    PostgreSQL or its driver is missing (the message says how to install it)."""
    from dirproof.pg.cluster import CONFIGS
    from dirproof.pg.servers import PgError, PgMissing, find_bin, require_driver

    if config not in CONFIGS:
        fail(f"unknown configuration {config!r}; known: {', '.join(CONFIGS)}")
    try:
        check_file(out)
        if svg is not None:
            check_file(svg, "--svg")
    except OutputError as exc:
        fail(str(exc))
    try:
        find_bin()
        require_driver()
    except PgMissing as exc:
        fail(str(exc))
    from dirproof.pg.harness import run_once
    from dirproof.pg.workload import Plan

    old = {s: signal.signal(s, _on_term) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        outcome = run_once(config, Plan(ops=ops, kills=kills, stops=stops, seed=seed), out)
    except KeyboardInterrupt as exc:
        typer.echo(f"dirproof pg: interrupted; every server was stopped; the partial log is {out}", err=True)
        raise typer.Exit(128 + getattr(exc, "signum", signal.SIGINT))
    except (PgError, OSError) as exc:
        fail(f"the harness failed: {' '.join(str(exc).split())[:400]} (the partial log is {out})", 2)
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    c = outcome.counts
    typer.echo(f"dirproof pg: {config}: {c['writes']} writes ({c['acked']} acknowledged), {c['reads']} reads, "
               f"{c['faults']} faults in {outcome.seconds:.0f} s; log {out}")
    from dirproof.commands.conform import conform
    conform(out, as_json=False, svg=svg, behaviour=behaviour, depth=None, frontier=None)
