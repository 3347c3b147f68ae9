"""Canonical JSON for the cells layer's actions, in the format of
model/serialize.py (`"step": "cell_write"`)."""

from __future__ import annotations

from ..side_serialize import ActionCodec, state_json
from .actions import CellAction
from .next import CELL_BY_NAME
from .state import FIELDS, CellState

CELL_CODEC = ActionCodec(CellAction, CELL_BY_NAME, "cells", (int,))
CELL_CONVERTER = CELL_CODEC.converter
is_cell_step = CELL_CODEC.is_step
cell_action_to_json = CELL_CODEC.to_json
cell_action_from_json = CELL_CODEC.from_json


def cell_state_to_json(state: CellState) -> dict:
    return state_json("cells", state, {f: list(getattr(state, f)) for f in FIELDS})
