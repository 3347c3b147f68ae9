"""Which design to replay a counterexample on (`dirproof replay --design ...`).

A reviewer shows that a fix works by replaying the counterexample found on
the flawed design against the fixed one. The design to replay on is named
in one of these ways (docs/counterexamples.md, Replay on another design):

* `--no-flaws`: the recorded configuration with every flaw removed;
* `--flaw F` (repeatable): the recorded configuration with exactly these flaws;
* `--profile P`: profile P's topology and parameters, with the recorded
  flaws (or those of `--flaw` / `--no-flaws`);
* `--config FILE`: a TOML design variant, as for `dirproof check --config`
  (`--flaw` adds flaws to it, `--no-flaws` removes the file's);
* `--design D`: a shorthand, `PROFILE` or `PROFILE+FLAW+FLAW...` (that profile
  with exactly those flaws), or the path of a `.toml` design variant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

import attrs

from dirproof.config_file import load_config
from dirproof.model import Config, make_config

from .run import safe_config, with_flaws


class DesignError(ValueError):
    """Options that do not name one design (bad input)."""


@attrs.frozen
class DesignChoice:
    """The replay options that name a design; all empty: the recorded design."""

    design: Optional[str] = None
    profile: Optional[str] = None
    flaws: Sequence[str] = ()
    no_flaws: bool = False
    config: Optional[Path] = None

    @property
    def given(self) -> bool:
        return bool(self.design or self.profile or self.flaws or self.no_flaws or self.config)


def check_choice(c: DesignChoice) -> None:
    """DesignError for options that contradict each other (before any file is read)."""
    if c.flaws and c.no_flaws:
        raise DesignError("--flaw and --no-flaws contradict each other: give one")
    if c.profile and c.config:
        raise DesignError("--profile and --config both name a topology: give one")
    if c.design and (c.profile or c.flaws or c.no_flaws or c.config):
        raise DesignError("--design names the whole design: give it alone, without --profile, --flaw, "
                          "--no-flaws or --config")
    if c.design is not None and not c.design.strip():
        raise DesignError("--design is empty: give PROFILE, PROFILE+FLAW... or a .toml file")


def choose_design(recorded: Config, c: DesignChoice) -> Optional[Config]:
    """The design to replay on (None: the recorded one). ConfigError or
    ConfigFileError (both ValueError) name an unknown profile or flaw or a bad file."""
    check_choice(c)
    if not c.given:
        return None
    if c.design:
        return _from_spec(c.design)
    if c.config is not None:
        cfg = load_config(c.config, extra_flaws=c.flaws)
        return safe_config(cfg) if c.no_flaws else cfg
    flaws = () if c.no_flaws else tuple(c.flaws) if c.flaws else recorded.flaws
    if c.profile:
        return make_config(c.profile, flaws=flaws)
    return with_flaws(recorded, flaws)


def _from_spec(spec: str) -> Config:
    if spec.endswith(".toml"):
        return load_config(Path(spec))
    profile, *flaws = spec.split("+")
    return make_config(profile, flaws=flaws)
