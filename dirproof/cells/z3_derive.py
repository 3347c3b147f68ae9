"""The cells layer's transition relation, derived from its steps.

For every step of `CELL_NEXT` (model/cells/next.py) and every tuple of its
arguments, the step function itself runs on a cells state whose leaves are
Z3 terms (dirproof/symbolic/paths.py explores its branches); its paths are
merged into one guard and one successor term per key
(dirproof/symbolic/derive.py `merge`), as for the identity layer, whose
system class this module reuses (dirproof/identity/z3_derive.py). The frame
is derived. Integers (data versions) are unbounded; the scope is the
layer's own: 3 cells, 4 tenants.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional

import z3

from dirproof.identity.z3_derive import IdAct, IdSystem, as_term, derive_paths, system_of
from dirproof.model import Config
from dirproof.model.cells import CELL_NEXT, CELLS, TENANTS, CellState, initial_cell_state
from dirproof.model.cells.state import FIELDS

SCOPE_TEXT = f"cells scope: {CELLS} cells, {TENANTS} tenants, data versions unbounded"
BOOLS = ("orch_up", "gw_up", "hit")


def rebuild(cfg: Config, leaf: Callable[[str, bool], Any]) -> CellState:
    """A cells state whose every leaf is leaf(key, is_bool)."""
    return CellState(cfg, **{f: tuple(leaf(f"{f}[{c}]", f in BOOLS) for c in range(CELLS)) for f in FIELDS})


def flatten(state: CellState) -> dict:
    """key -> value of every leaf (the keys of `rebuild`)."""
    return {f"{f}[{c}]": v for f in FIELDS for c, v in enumerate(getattr(state, f))}


def fresh(cfg: Config, prefix: str) -> tuple[CellState, dict]:
    """A symbolic cells state of fresh constants `<prefix><key>`, and its keys."""
    st = rebuild(cfg, lambda k, b: z3.Bool(prefix + k) if b else z3.Int(prefix + k))
    return st, flatten(st)


def values_of(state: CellState) -> dict:
    return {k: as_term(v) for k, v in flatten(state).items()}


def acts(cfg: Config) -> tuple[IdAct, ...]:
    return tuple(IdAct(s, args) for s in CELL_NEXT for args in s.arguments(cfg))  # type: ignore[arg-type]


def derive(act: IdAct, state: CellState, pre: dict, minutes: Any = None) -> tuple[Any, dict]:
    """(guard, successor keys) of one action from the symbolic pre-state."""
    return derive_paths(flatten, act, state, pre, None)


@functools.lru_cache(maxsize=8)
def cell_system(cfg: Config, run: Optional[Callable] = None) -> IdSystem:
    """The relation of `cfg` (cached); `run` replaces derive (tests: a wrong translation)."""
    return system_of(cfg, fresh, acts(cfg), run or derive, timed=False)


def initial_keys(cfg: Config) -> dict:
    return values_of(initial_cell_state(cfg))
