"""The machine a counterexample runs on: the partition (model/next.py), the
identity layer (model/identity/) or the cells layer (model/cells/). Replay, its report and its JSON read the
few things that differ from here; which machine is the property's."""

from __future__ import annotations

from typing import Any, Callable

import attrs

from dirproof.model import initial_state, step
from dirproof.properties import broken_assumptions, check

from .words import action_text, diff_states, roles_text


@attrs.frozen
class Machine:
    name: str
    initial: Callable[[Any], Any]  # config -> the initial state
    step: Callable[[Any, Any], Any]  # (state, action) -> state or Rejected
    check: Callable[[Any], tuple]  # state -> the Violations of every property
    assumptions: Callable[[Any], list]  # state -> the ids of the broken assumptions
    text: Callable[[Any, Any], str]  # (action, config) -> one line
    diff: Callable[[Any, Any], list]  # (before, after) -> one line per change
    start: Callable[[Any], str]  # the initial state in one phrase


def _start(state: Any) -> str:
    cfg = state.config
    return (f"{roles_text(state)}; "
            + ", ".join(f"session {s} at {cfg.name_of(ss.replica)}" for s, ss in enumerate(state.sessions)))


PARTITION = Machine("partition", initial_state, step, lambda s: tuple(check(s)), broken_assumptions,
                    action_text, diff_states, _start)


def _side_specs() -> dict:
    """The step rows of every machine beside the partition, by action class."""
    from dirproof.model.cells import CELL_SPECS
    from dirproof.model.identity import ID_SPECS
    return {**ID_SPECS, **CELL_SPECS}


def any_action_text(action: Any, config: Any = None) -> str:
    """One line for an action of any machine."""
    spec = _side_specs().get(type(action))
    return spec.text(action, config) if spec is not None else action_text(action, config)


def machine_of_steps(steps: Any) -> Machine:
    """The machine whose actions `steps` are."""
    from dirproof.model.cells import CELL_SPECS
    from dirproof.model.identity import ID_SPECS
    if any(type(a) in CELL_SPECS for a in steps):
        return cells()
    return identity() if any(type(a) in ID_SPECS for a in steps) else PARTITION


def machine_of(prop: str) -> Machine:
    """The machine a counterexample of `prop` runs on."""
    from dirproof.properties import layer_of
    return {"identity": identity, "cells": cells}.get(layer_of(prop), lambda: PARTITION)()


def identity() -> Machine:
    """The identity layer (model/identity/) as a machine."""
    from dirproof.identity import replay as words
    from dirproof.model.identity import id_step, initial_id_state
    from dirproof.properties import Violation
    from dirproof.properties.identity import id_violations
    return Machine("identity", initial_id_state, id_step,
                   lambda s: tuple(Violation(p, m) for p, m in id_violations(s)), lambda s: [],
                   words.text, words.diff, words.start)


def cells() -> Machine:
    """The cells layer (model/cells/) as a machine."""
    from dirproof.cells import replay as words
    from dirproof.model.cells import cell_step, initial_cell_state
    from dirproof.properties import Violation
    from dirproof.properties.cells import cell_violations
    return Machine("cells", initial_cell_state, cell_step,
                   lambda s: tuple(Violation(p, m) for p, m in cell_violations(s)), lambda s: [],
                   words.text, words.diff, words.start)
