"""The engines `dirproof check` can run, by name, loaded lazily.

Each engine module exposes `run(request: EngineRequest) -> list[PropertyResult]`
with one result per property in `request.properties`. Adding an engine is
adding a line to ENGINE_MODULES and writing that module.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable, Optional

import attrs

from dirproof.model import Config
from dirproof.results import PropertyResult

ENGINE_MODULES: dict[str, str] = {
    "bfs": "dirproof.bfs",
    "hypothesis": "dirproof.hypothesis_engine",
    "z3": "dirproof.z3_engine",
    "z3-param": "dirproof.parametric.engine",
}

# The identity layer (model/identity/) is a second machine: for an engine
# named here, its module judges the identity properties, and the engine's
# own module the partition's (dirproof/commands/run_engines.py splits them).
IDENTITY_MODULES: dict[str, str] = {
    "bfs": "dirproof.identity.bfs",
    "hypothesis": "dirproof.identity.explore",
    "z3": "dirproof.identity.z3_engine",
}
# The cells layer (model/cells/) likewise: a machine of its own.
CELL_MODULES: dict[str, str] = {
    "bfs": "dirproof.cells.bfs",
    "hypothesis": "dirproof.cells.explore",
    "z3": "dirproof.cells.z3_engine",
}
# Every machine beside the partition, by layer name (properties.layer_of).
SIDE_MODULES: dict[str, dict[str, str]] = {"identity": IDENTITY_MODULES, "cells": CELL_MODULES}


def module_for(engine: str, prop: str) -> Optional[str]:
    """The module of `engine` that judges `prop` (None: that engine does not judge its machine)."""
    from dirproof.properties import layer_of
    layer = layer_of(prop)
    return ENGINE_MODULES[engine] if layer == "partition" else SIDE_MODULES[layer].get(engine)

# The order `dirproof check` runs the engines in: the fast explorers first, so
# that a flawed design's counterexample ends the run in seconds, then Z3 only
# for the properties no earlier engine has violated (dirproof/commands/check.py).
# The breadth-first search leads with a short budget (defaults.BFS_LEAD_SECONDS,
# on every design, the safe one too): a shallow flaw's shortest counterexample
# comes from it; what it has not found by then is left to the exploration and Z3.
ENGINE_ORDER: tuple[str, ...] = ("bfs", "hypothesis", "z3")


def _quiet(done: float, total: float, label: str) -> None:
    """Default progress callback: says nothing."""


def _ignore(coverage: dict) -> None:
    """Default coverage callback: keeps nothing."""


@attrs.frozen
class EngineRequest:
    config: Config
    properties: tuple[str, ...]
    examples: Optional[int] = None  # hypothesis: number of examples (None: engine default)
    seconds: Optional[float] = None  # wall-clock budget for the engine (None: engine default)
    depth: Optional[int] = None  # z3: bounded-model-checking depth (None: engine default)
    seed: Optional[int] = None  # hypothesis: fixed seed for a reproducible run
    out_dir: Path = Path("counterexamples")  # where counterexample files go
    over_budget: bool = False  # hypothesis: faults may exceed the fault budget
    scope: Optional[tuple[int, int]] = None  # z3: the proof's (log, epochs) bound (None: PROOF_SCOPE)
    # explorers: go on past the first violation until every property has broken
    # or held for a whole round (dirproof check --all-violations, the review's flaw matrix)
    all_violations: bool = False
    later_examples: Optional[int] = None  # hypothesis, all_violations: examples per later round (None: examples)
    progress: Callable[[float, float, str], None] = attrs.field(default=_quiet, eq=False)
    # an exploring engine hands its coverage here (dirproof.explore.coverage)
    on_coverage: Callable[[dict], None] = attrs.field(default=_ignore, eq=False)


def run(engine: str, request: EngineRequest) -> list[PropertyResult]:
    """The engine's results on the request's properties: each side machine's
    (identity, cells) from its SIDE_MODULES module (none when the engine has
    none), the partition's from ENGINE_MODULES."""
    if engine not in ENGINE_MODULES:
        raise ValueError(f"unknown engine {engine!r}; known engines: {', '.join(ENGINE_MODULES)}")
    from dirproof.properties import layer_of
    out: list[PropertyResult] = []
    side = [p for p in request.properties if layer_of(p) != "partition"]
    for layer, modules in SIDE_MODULES.items():
        mine = tuple(p for p in request.properties if layer_of(p) == layer)
        if mine and engine in modules:
            out += importlib.import_module(modules[engine]).run(attrs.evolve(request, properties=mine))
    rest = tuple(p for p in request.properties if layer_of(p) == "partition")
    if rest or not side:
        out += importlib.import_module(ENGINE_MODULES[engine]).run(attrs.evolve(request, properties=rest))
    return out


def why_unjudged(engine: str, request: EngineRequest) -> dict[str, str]:
    """Why the engine gave no verdict on some of the partition's properties
    of `request`, by property, when its module says (`why_unjudged`)."""
    says = getattr(importlib.import_module(ENGINE_MODULES[engine]), "why_unjudged", None)
    return says(request) if says is not None else {}
