"""Canonical JSON for the identity layer's actions and states, in the format
of model/serialize.py (`"step": "issue_token"`); a counterexample file holds
either replication or identity steps, told apart by their names."""

from __future__ import annotations

from ..side_serialize import ActionCodec, state_json
from .actions import IdAction
from .next import ID_BY_NAME
from .state import IdState

ID_CODEC = ActionCodec(IdAction, ID_BY_NAME, "identity", (int, bool, str))
ID_CONVERTER = ID_CODEC.converter
is_id_step = ID_CODEC.is_step
id_action_to_json = ID_CODEC.to_json
id_action_from_json = ID_CODEC.from_json


def id_state_to_json(state: IdState) -> dict:
    """An identity state as JSON (the ITF/diff helpers and tests read it)."""
    body = {f: ID_CONVERTER.unstructure(getattr(state, f)) for f in ("now", "primary_up", "published",
                                                                     "tokens", "revoked", "revoked_at",
                                                                     "seen", "last")}
    return state_json("identity", state, body)
