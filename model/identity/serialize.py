"""Canonical JSON for the identity layer's actions and states, in the format
of model/serialize.py (`"step": "issue_token"`); a counterexample file holds
either replication or identity steps, told apart by their names."""

from __future__ import annotations

from typing import Any

import cattrs
from cattrs.strategies import configure_tagged_union

from ..actions import step_name
from ..serialize import FormatError, _one_line, _strict, config_to_json
from .actions import IdAction
from .next import ID_BY_NAME
from .state import IdState


def _converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    for kind in (int, bool, str):
        conv.register_structure_hook(kind, _strict(kind))
    configure_tagged_union(IdAction, conv, tag_generator=step_name, tag_name="step")
    return conv


ID_CONVERTER = _converter()


def is_id_step(data: Any) -> bool:
    """The JSON of an identity action (by its step name)."""
    return isinstance(data, dict) and isinstance(data.get("step"), str) and data["step"] in ID_BY_NAME


def id_action_to_json(action: Any) -> dict:
    return ID_CONVERTER.unstructure(action, IdAction)


def id_action_from_json(data: Any) -> Any:
    if not is_id_step(data):
        raise FormatError(f"unknown identity action {data!r}")
    try:
        return ID_CONVERTER.structure(data, IdAction)  # type: ignore[arg-type]
    except Exception as exc:
        raise FormatError(f"not a valid {data['step']} action: {_one_line(exc)}") from None


def id_state_to_json(state: IdState) -> dict:
    """An identity state as JSON (the ITF/diff helpers and tests read it)."""
    body = {f: ID_CONVERTER.unstructure(getattr(state, f)) for f in ("now", "primary_up", "published",
                                                                     "tokens", "revoked", "revoked_at",
                                                                     "seen", "last")}
    return {"format": "dirproof-identity-state", "config": config_to_json(state.config), "state": body}
