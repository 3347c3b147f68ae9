"""Canonical, versioned JSON for configurations, actions and states.

Every action and state round-trips exactly: `state_from_json(state_to_json(s))
== s`. Tagged unions carry their kind by name (`"step": "acknowledge"`,
`"op": "soft_delete"`, `"event": "acked"`). `canonical` gives the one text
of a JSON value (sorted keys, no spaces), the basis of counterexample files.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn, override
from cattrs.strategies import configure_tagged_union

from . import actions as A
from .config import Config, ConfigError, validate
from .ops import OP_TYPES, Op
from .state import Event, State

FORMAT_VERSION = 2  # 2: entries carry their write (op, origin, day); links as a tuple of cut flags


class FormatError(ValueError):
    """JSON that is not a valid dirproof value of this format version."""


def _snake(cls) -> str:
    return A.step_name(cls)


def _strict(kind: type):
    """A structure hook that accepts only `kind` itself: no "2" -> 2, 1.7 -> 1, "no" -> True."""
    def hook(value, _):
        if type(value) is not kind:
            raise TypeError(f"expected {kind.__name__}, got {type(value).__name__} {value!r}")
        return value
    return hook


def _converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    for kind in (int, bool, str):
        conv.register_structure_hook(kind, _strict(kind))
    configure_tagged_union(Op, conv, tag_generator=_snake, tag_name="op")
    configure_tagged_union(Event, conv, tag_generator=_snake, tag_name="event")
    configure_tagged_union(A.Action, conv, tag_generator=_snake, tag_name="step")
    # a knob added after the corpus was written (every Config field after
    # `flaws`) is left out at its default (the design's setting), so every
    # earlier file keeps its exact text (tests/test_corpus.py)
    names = [f.name for f in attrs.fields(Config)]
    knobs: dict[str, Any] = {k: override(omit_if_default=True) for k in names[names.index("flaws") + 1:]}
    conv.register_unstructure_hook(Config, make_dict_unstructure_fn(Config, conv, **knobs))
    return conv


CONVERTER = _converter()
ACTION_NAMES = {_snake(c): c for c in A.Action.__args__}  # type: ignore[attr-defined]
OP_NAMES = {_snake(c): c for c in OP_TYPES}


def canonical(value: Any) -> str:
    """The one JSON text of a value: sorted keys, compact separators."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _structure(data: Any, cls, what: str):
    try:
        return CONVERTER.structure(data, cls)
    except Exception as exc:  # cattrs raises a tree of errors; say it in one line
        raise FormatError(f"not a valid {what}: {_one_line(exc)}") from None


def _one_line(exc: BaseException) -> str:
    msgs = []
    stack = [exc]
    while stack:
        e = stack.pop()
        subs = getattr(e, "exceptions", None)
        if subs:
            stack.extend(subs)
        else:
            note = "; ".join(getattr(e, "__notes__", []) or [])
            msgs.append(f"{type(e).__name__}: {e}" + (f" ({note})" if note else ""))
    return " | ".join(msgs[:3])


def action_to_json(action) -> dict:
    return CONVERTER.unstructure(action, A.Action)


def action_from_json(data: Any):
    if not isinstance(data, dict) or not isinstance(data.get("step"), str) \
            or data["step"] not in ACTION_NAMES:
        step = data.get("step") if isinstance(data, dict) else None
        raise FormatError(f"unknown action {step!r}; known steps: {', '.join(ACTION_NAMES)}")
    return _structure(data, A.Action, f"{data['step']} action")


def config_to_json(config: Config) -> dict:
    """The configuration; knobs at the design's setting are left out (_converter)."""
    return CONVERTER.unstructure(config)


def config_from_json(data: Any) -> Config:
    cfg = _structure(data, Config, "configuration")
    try:
        return validate(cfg)
    except ConfigError as exc:
        raise FormatError(f"impossible configuration: {exc}") from None


def state_to_json(state: State) -> dict:
    return {"format": "dirproof-state", "version": FORMAT_VERSION,
            "state": CONVERTER.unstructure(state)}


def state_from_json(data: Any) -> State:
    if not isinstance(data, dict) or data.get("format") != "dirproof-state":
        raise FormatError("not a dirproof state (missing \"format\": \"dirproof-state\")")
    if data.get("version") != FORMAT_VERSION:
        raise FormatError(f"state format version {data.get('version')!r} is not supported "
                          f"(this dirproof reads version {FORMAT_VERSION})")
    state = _structure(data.get("state"), State, "state")
    config_from_json(config_to_json(state.config))
    return state
