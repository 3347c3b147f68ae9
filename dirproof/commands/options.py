"""What several commands share: the design from --profile/--flaw/--config,
and the estimate printed before a run that will be large."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from dirproof.app import fail
from dirproof.config_file import ConfigFileError, load_config
from dirproof.defaults import DEFAULT_DEPTH
from dirproof.model import Config, ConfigError, make_config

# Measured on this 2-core machine (docs/user-guide.md, "Limits"): the Z3
# proof of `entra` (4 replicas, 2 sessions) at the default scope 3 3.
PROOF_SECONDS = 60.0
LARGE_SECONDS = 300.0  # above this estimate, say so before starting
EXAMPLES_PER_SECOND = 20.0  # the exploration of `entra`, every property checked after every step


def config_or_fail(profile: str, flaws: list[str], config: Optional[Path]) -> Config:
    """The design to check; a bad profile, flaw or file is one line, exit 2."""
    try:
        if config is not None:
            return load_config(config, extra_flaws=flaws)
        return make_config(profile, flaws=flaws)
    except (ConfigError, ConfigFileError) as exc:
        fail(str(exc))
    raise AssertionError("unreachable")


def proof_estimate(cfg: Config, scope: Optional[tuple[int, int]], depth: Optional[int]) -> float:
    """A rough figure for the Z3 engine, in seconds: the measured default,
    times the growth of the state (replicas, sessions) and of the scope and
    depth (each extra log entry or epoch about doubles the solver's work)."""
    log, epochs = scope or (3, 3)
    size = (len(cfg.datacenters) / 4) ** 2 * max(1, cfg.sessions) / 2
    return PROOF_SECONDS * size * 2.0 ** (log + epochs - 6) * 2.0 ** ((depth or DEFAULT_DEPTH) - DEFAULT_DEPTH)


def estimate_lines(cfg: Config, engines, scope, depth, seconds: Optional[float],
                   examples: Optional[int] = None) -> list[str]:
    """What a large run is told before it starts (nothing for an ordinary one)."""
    bound = f"--seconds {seconds:g} bounds it" if seconds else "--seconds bounds the whole run"
    out = []
    guess = proof_estimate(cfg, scope, depth)
    if "z3" in engines and guess >= LARGE_SECONDS:
        out.append(f"estimate: this run is large; the Z3 engine may take about {guess / 60:.0f} minutes or "
                   f"more (measured: {PROOF_SECONDS:.0f} s for entra at scope 3 3); {bound}")
    size = len(cfg.datacenters) * max(1, cfg.sessions) / 8
    explore = (examples or 0) / EXAMPLES_PER_SECOND * size
    if "hypothesis" in engines and explore >= LARGE_SECONDS:
        out.append(f"estimate: exploring {examples} examples may take about {explore / 60:.0f} minutes "
                   f"(measured: about {EXAMPLES_PER_SECOND:.0f} examples/s on entra); {bound}")
    return out


def in_range(lo: float, hi: float, unit: str = "") -> Any:
    """A Typer callback refusing a value outside lo..hi (and NaN), naming the range."""
    def callback(ctx: Any, param: Any, value: Any) -> Any:
        values = value if isinstance(value, tuple) else (value,)
        for v in values:
            if v is not None and (v != v or not lo <= v <= hi):
                name = "/".join(param.opts) if param is not None else "value"
                raise typer.BadParameter(f"{v} is not in the range {num(lo)}..{num(hi)}{unit}",
                                         param_hint=f"'{name}'")
        return value
    return callback


def num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
