"""Canonical JSON for the actions and states of a machine beside the
partition (the identity and cells layers), in the format of
model/serialize.py (`"step": "<step name>"`), written once: each machine
makes an `ActionCodec` of its action union and step names."""

from __future__ import annotations

from typing import Any

import cattrs
from cattrs.strategies import configure_tagged_union

from .actions import step_name
from .serialize import FormatError, _one_line, _strict, config_to_json


class ActionCodec:
    """The JSON of one machine's actions: `union` (the action classes), told
    apart by their step names (`by_name`); `kinds` are structured strictly."""

    def __init__(self, union: Any, by_name: dict, layer: str, kinds: tuple[type, ...]) -> None:
        self.union, self.by_name, self.layer = union, by_name, layer
        self.converter = cattrs.Converter(forbid_extra_keys=True)
        for kind in kinds:
            self.converter.register_structure_hook(kind, _strict(kind))
        configure_tagged_union(union, self.converter, tag_generator=step_name, tag_name="step")

    def is_step(self, data: Any) -> bool:
        """The JSON of an action of this machine (by its step name)."""
        return isinstance(data, dict) and isinstance(data.get("step"), str) and data["step"] in self.by_name

    def to_json(self, action: Any) -> dict:
        out: dict = self.converter.unstructure(action, self.union)
        return out

    def from_json(self, data: Any) -> Any:
        if not self.is_step(data):
            raise FormatError(f"unknown {self.layer} action {data!r}")
        try:
            return self.converter.structure(data, self.union)
        except Exception as exc:
            raise FormatError(f"not a valid {data['step']} action: {_one_line(exc)}") from None


def state_json(layer: str, state: Any, body: dict) -> dict:
    """A state of the machine `layer` as JSON: its configuration and `body`."""
    return {"format": f"dirproof-{layer}-state", "config": config_to_json(state.config), "state": body}
