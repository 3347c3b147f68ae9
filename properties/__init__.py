"""dirproof.properties: what must hold (design.md §4), as Python predicates.

`PROPERTIES` is the one catalogue: each entry has its id, statement, seed
fact, assumptions and `check(state) -> str | None`. Properties read model
states and their histories; they never change them.
"""

from .base import FAULT_BUDGET, Assumption, Property, Violation
from .catalogue import ASSUMPTIONS, PROPERTIES, broken_assumptions, check, first_violation
from .identity import IDENTITY_PROPERTIES

# Every property of every machine (the partition's and the identity layer's,
# model/identity/): what the CLI lists, judges and reads back from files.
ALL_PROPERTIES: dict = {**PROPERTIES, **IDENTITY_PROPERTIES}

__all__ = ["FAULT_BUDGET", "Assumption", "Property", "Violation", "ASSUMPTIONS", "PROPERTIES",
           "broken_assumptions", "check", "first_violation", "IDENTITY_PROPERTIES", "ALL_PROPERTIES"]
