"""The Typer application that every command module registers on, and how
every command ends: one line on stderr for bad input (exit 2), "interrupted"
for SIGINT/SIGTERM (exit 130/143), never a traceback for a user's mistake."""

from __future__ import annotations

import sys
from typing import Any, NoReturn, Optional, Sequence

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError  # typer's own copy of click (>= 0.26)
from typer.exceptions import Abort, Exit
from typer.core import TyperGroup

from dirproof import interrupt

BAD_INPUT = 2


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class Group(TyperGroup):
    """The root command: runs a command with the interrupt handlers installed
    (dirproof/interrupt.py) and turns every way it can end into an exit code."""

    def main(self, args: Optional[Sequence[str]] = None, prog_name: Optional[str] = None,
             complete_var: Optional[str] = None, standalone_mode: bool = True, windows_expand_args: bool = True,
             **extra: Any) -> Any:
        code = run_main(lambda: super(Group, self).main(args, prog_name, complete_var, standalone_mode=False,
                                                        windows_expand_args=windows_expand_args, **extra))
        sys.exit(code)


def run_main(call: Any) -> int:
    with interrupt.handling():
        try:
            rv = call()
        except NoArgsIsHelpError as exc:
            typer.echo(exc.format_message())
            return 0
        except ClickException as exc:
            typer.echo(f"dirproof: error: {_one_line(exc.format_message())}", err=True)
            return BAD_INPUT
        except (KeyboardInterrupt, Abort):
            return _interrupted()
        except Exit as exc:
            rv = exc.exit_code
        except BrokenPipeError:
            return 1
        except Exception:
            # After a signal, a solver stopped mid-call may raise from its next
            # call (z3: "push canceled"): the run was interrupted, not broken.
            if interrupt.received() is not None:
                return _interrupted()
            raise
        if interrupt.received() is not None or rv == 130:
            return _interrupted()
        return rv if isinstance(rv, int) else 0


def _interrupted() -> int:
    typer.echo("dirproof: interrupted", err=True)
    return interrupt.exit_code()


app = typer.Typer(
    name="dirproof",
    cls=Group,
    help="Verify a single-master, geo-replicated directory service design "
         "(the Entra ID architecture): model, properties, Hypothesis exploration and Z3 proofs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


DISAGREE = 4  # the engines contradict each other, or an encoding disagrees with the model


def encoding_disagreement(exc: AssertionError) -> NoReturn:
    """End the run on a Z3 path that does not replay on the model (a bug of
    dirproof, exit 4); any other AssertionError is re-raised as the bug it is."""
    bmc = sys.modules.get("dirproof.proofs.bmc")
    if bmc is None or not isinstance(exc, bmc.EncodingDisagreement):
        raise exc
    fail(f"the Z3 encoding and the model disagree (a bug of dirproof, please report it): {exc}", DISAGREE)


def fail(message: str, code: int = BAD_INPUT) -> NoReturn:
    """Print a one-line error to stderr and exit with `code` (2: bad input)."""
    typer.echo(f"dirproof: error: {_one_line(message)}", err=True)
    raise typer.Exit(code)
