"""dirproof.properties: what must hold (design.md §4), as Python predicates.

`PROPERTIES` is the one catalogue: each entry has its id, statement, seed
fact, assumptions and `check(state) -> str | None`. Properties read model
states and their histories; they never change them.
"""

from typing import Iterable

from dirproof.model import FLAWS

from .base import FAULT_BUDGET, Assumption, Property, Violation
from .catalogue import ASSUMPTIONS, PROPERTIES, broken_assumptions, check, first_violation
from .cells import CELL_PROPERTIES
from .identity import IDENTITY_PROPERTIES

# The machines beside the partition (model/identity/, model/cells/), by
# layer name: their properties are judged by their own engine modules
# (dirproof/engines.py SIDE_MODULES).
SIDE_LAYERS: dict = {"identity": IDENTITY_PROPERTIES, "cells": CELL_PROPERTIES}
SIDE_PROPERTIES: dict = {**IDENTITY_PROPERTIES, **CELL_PROPERTIES}

# Every property of every machine (the partition's, the identity layer's and
# the cells layer's): what the CLI lists, judges and reads back from files.
ALL_PROPERTIES: dict = {**PROPERTIES, **SIDE_PROPERTIES}


def layer_of(prop: str) -> str:
    """The machine a property speaks of: "partition", "identity" or "cells"."""
    return next((name for name, props in SIDE_LAYERS.items() if prop in props), "partition")


def flawed_layers(flaws: Iterable[str]) -> set[str]:
    """The machines the seeded flaws change: those of the properties each
    flaw breaks (`Flaw.caught_by`)."""
    return {layer_of(p) for f in flaws for p in FLAWS[f].caught_by}

__all__ = ["FAULT_BUDGET", "Assumption", "Property", "Violation", "ASSUMPTIONS", "PROPERTIES",
           "broken_assumptions", "check", "first_violation", "IDENTITY_PROPERTIES", "ALL_PROPERTIES",
           "CELL_PROPERTIES", "SIDE_LAYERS", "SIDE_PROPERTIES", "flawed_layers", "layer_of"]
