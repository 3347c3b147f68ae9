"""The engines' default budgets, in one place: the engines use them, and
`dirproof check --help` shows them without loading an engine (Hypothesis
and Z3 load lazily)."""

# Hypothesis: examples explored when neither --examples nor --seconds is given.
DEFAULT_EXAMPLES = 1000
# Z3: bounded search of a property the proof did not give, per property.
DEFAULT_DEPTH = 8  # steps (the replication and availability properties)
OBJECT_DEPTH = 8  # object steps: a committed write or a tick (the object properties)
DEFAULT_SECONDS = 20.0  # time budget when the request gives none (docs/z3.md)
