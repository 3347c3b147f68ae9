"""Induction checks of the object layer's parametric form: the same
obligations, solver frames and counterexample shrinking as induction.py
(one frame per (invariant, transition), initiation and safety alike), run
over OBJECT_FORM, the object layer's vocabulary, axioms, invariants and
transitions. A sat frame is a counterexample to induction, shown by
objshow.py.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

from . import induction, objshow
from .induction import Form, Report
from .objinvariants import OBJECT_PROPS, initial, invariants, properties
from .objsteps import TRANSITIONS
from .objvocab import AVEC, DAY, KIND, OBJ, SNAP, OVocab, axioms

SHRINK_ORDER = (DAY, OBJ, AVEC, SNAP, KIND)

OBJECT_FORM = Form(OVocab, axioms, invariants, TRANSITIONS, initial, properties, SHRINK_ORDER, objshow.cti)


def formulas(flaws: frozenset) -> list[Any]:
    """Every formula some obligation asserts (with its polarity), for the EPR lint."""
    return induction.formulas(flaws, OBJECT_FORM)


def changed_by(flaws: Iterable[str]) -> list[str]:
    """The transitions whose formula the flaws change."""
    return induction.changed_by(flaws, OBJECT_FORM)


def prove(flaws: Iterable[str] = (), transitions: Optional[Iterable[str]] = None,
          only: Optional[Iterable[str]] = None, first_failure: bool = False, drop: Iterable[str] = ()) -> Report:
    """Every obligation of the object layer's form (or those of the named
    transitions and invariants); a flawed form is tried over the transitions
    its flaws change first, where it fails."""
    return induction.prove(flaws, transitions, only, OBJECT_PROPS, first_failure, drop, OBJECT_FORM)
