"""Canonical JSON for the cells layer's actions, in the format of
model/serialize.py (`"step": "cell_write"`)."""

from __future__ import annotations

from typing import Any

import cattrs
from cattrs.strategies import configure_tagged_union

from ..actions import step_name
from ..serialize import FormatError, _one_line, _strict, config_to_json
from .actions import CellAction
from .next import CELL_BY_NAME
from .state import FIELDS, CellState


def _converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_structure_hook(int, _strict(int))
    configure_tagged_union(CellAction, conv, tag_generator=step_name, tag_name="step")
    return conv


CELL_CONVERTER = _converter()


def is_cell_step(data: Any) -> bool:
    """The JSON of a cells action (by its step name)."""
    return isinstance(data, dict) and isinstance(data.get("step"), str) and data["step"] in CELL_BY_NAME


def cell_action_to_json(action: Any) -> dict:
    return CELL_CONVERTER.unstructure(action, CellAction)


def cell_action_from_json(data: Any) -> Any:
    if not is_cell_step(data):
        raise FormatError(f"unknown cells action {data!r}")
    try:
        return CELL_CONVERTER.structure(data, CellAction)  # type: ignore[arg-type]
    except Exception as exc:
        raise FormatError(f"not a valid {data['step']} action: {_one_line(exc)}") from None


def cell_state_to_json(state: CellState) -> dict:
    body = {f: list(getattr(state, f)) for f in FIELDS}
    return {"format": "dirproof-cells-state", "config": config_to_json(state.config), "state": body}
