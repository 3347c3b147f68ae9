"""Counterexample files (JSON, versioned): a configuration and the steps that
break a property, ready to replay on the model.

A file is written atomically (temporary file, then rename) under a
counterexamples folder, with a stable name `<profile>--<flaws>--<property>.json`,
so a later run replaces it instead of scattering duplicates.
"""

from __future__ import annotations

import builtins

import json
from pathlib import Path
from typing import Any, Optional

import attrs

from dirproof import __version__, atomic
from dirproof.model import (Config, FormatError, action_from_json, action_to_json,
                            config_from_json, config_to_json)
from dirproof.model.identity.serialize import id_action_from_json, id_action_to_json, is_id_step
from dirproof.model.identity import ID_SPECS
from dirproof.model.cells import CELL_SPECS
from dirproof.model.cells.serialize import cell_action_from_json, cell_action_to_json, is_cell_step
from dirproof.properties import ASSUMPTIONS, ALL_PROPERTIES

FORMAT = "dirproof-counterexample"
STATUSES = ("violated", "assumption-broken")
VERSION = 1
DEFAULT_FOLDER = Path("counterexamples")


@attrs.frozen
class Counterexample:
    config: Config
    steps: tuple
    property: str
    violated_at: Optional[int]  # 1-based index of the step after which it broke
    message: str = ""
    engine: str = ""
    found: str = ""  # ISO time the engine found it (engines fill it; the model has no clock)
    status: str = "violated"  # or "assumption-broken"

    @builtins.property
    def name(self) -> str:
        flaws = "+".join(self.config.flaws) or "safe"
        return f"{self.config.profile}--{flaws}--{self.property}.json"


def to_json(cx: Counterexample) -> dict:
    return {
        "format": FORMAT, "version": VERSION, "dirproof": __version__,
        "config": config_to_json(cx.config), "property": cx.property, "status": cx.status,
        "violated_at": cx.violated_at, "message": cx.message, "engine": cx.engine,
        "found": cx.found, "steps": [step_json(a) for a in cx.steps],
    }


def step_json(action: Any) -> dict:
    """A step of any machine: the partition's, the identity layer's or the cells layer's."""
    if type(action) in CELL_SPECS:
        return cell_action_to_json(action)
    return id_action_to_json(action) if type(action) in ID_SPECS else action_to_json(action)


def from_json(data: Any) -> Counterexample:
    """Read a counterexample; FormatError names what is wrong (step index included)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FormatError(f"not a dirproof counterexample (missing \"format\": \"{FORMAT}\")")
    if data.get("version") != VERSION:
        raise FormatError(f"counterexample format version {data.get('version')!r} is not supported "
                          f"(this dirproof reads version {VERSION})")
    for key in ("config", "property", "steps"):
        if key not in data:
            raise FormatError(f"missing field {key!r}")
    if not isinstance(data["steps"], list):
        raise FormatError("\"steps\" must be a list of actions")
    try:
        config = config_from_json(data["config"])
    except FormatError as exc:
        raise FormatError(f"config: {exc}") from None
    except Exception as exc:  # the decoder tripped on an odd value: still a format error
        raise FormatError(f"config: not a valid configuration ({type(exc).__name__}: {exc})") from None
    steps = []
    for i, raw in enumerate(data["steps"], 1):
        try:
            steps.append(id_action_from_json(raw) if is_id_step(raw) else
                         cell_action_from_json(raw) if is_cell_step(raw) else action_from_json(raw))
        except FormatError as exc:
            raise FormatError(f"step {i}: {exc}") from None
        except Exception as exc:  # e.g. {"step": []} trips the decoder's lookup
            raise FormatError(f"step {i}: not a valid action ({type(exc).__name__}: {exc})") from None
    at = data.get("violated_at")
    if at is not None and not (isinstance(at, int) and not isinstance(at, bool) and 0 <= at <= len(steps)):
        raise FormatError(f"violated_at {at!r} is not a step index 0..{len(steps)}")
    prop = data["property"]
    known = [*ALL_PROPERTIES, *ASSUMPTIONS]
    if prop not in known:
        raise FormatError(f"unknown property {prop!r}; known: {', '.join(known)}")
    status = data.get("status", "violated")
    if status not in STATUSES:
        raise FormatError(f"unknown status {status!r}; known: {', '.join(STATUSES)}")
    return Counterexample(config, tuple(steps), prop, at,
                          str(data.get("message", "")), str(data.get("engine", "")),
                          str(data.get("found", "")), status)


def save(cx: Counterexample, folder: Path = DEFAULT_FOLDER) -> Path:
    """Write atomically to `folder/cx.name`; return the path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return write(cx, folder / cx.name)


def write(cx: Counterexample, path: Path) -> Path:
    """Write atomically to exactly `path` (temporary file, fsync, rename)."""
    return atomic.write_text(Path(path), dumps(cx))


def dumps(cx: Counterexample) -> str:
    """The file's text: indented JSON with sorted keys and a final newline."""
    return json.dumps(to_json(cx), indent=1, sort_keys=True) + "\n"


def load(path: Path) -> Counterexample:
    """Read a file; FormatError (naming the file) for anything malformed."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise FormatError(f"{path}: no such file") from None
    except OSError as exc:
        raise FormatError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FormatError(f"{path}: not valid JSON, truncated or malformed ({exc})") from None
    try:
        return from_json(data)
    except FormatError as exc:
        raise FormatError(f"{path}: {exc}") from None
