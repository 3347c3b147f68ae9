"""The engines' default budgets, in one place: the engines use them, and
`dirproof check --help` shows them without loading an engine (Hypothesis
and Z3 load lazily)."""

# Hypothesis: examples explored when neither --examples nor --seconds is given.
DEFAULT_EXAMPLES = 1000
# Z3: bounded search of a property the proof did not give, per property.
DEFAULT_DEPTH = 8  # steps (the replication and availability properties)
OBJECT_DEPTH = 8  # object steps: a committed write or a tick (the object properties)
DEFAULT_SECONDS = 20.0  # time budget when the request gives none (docs/z3.md)
# The breadth-first engine, when later engines follow it (the default `dirproof
# check`): its wall-clock budget, at most, so that a shallow flaw's shortest
# counterexample comes from it in seconds and the rest is left to the later
# engines (with --seconds S: at most a quarter of it). Run alone, it has
# DEFAULT_SECONDS (docs/bfs.md). 10 s: read-ignores-token's 4 steps take the
# search about 2 s of CPU, 4.6 s of wall time at load average 4.6 on 2 cores.
BFS_LEAD_SECONDS = 10.0

# The ranges of the numeric options, refused outside with the range named
# (docs/user-guide.md, "Limits"). Beyond them a run takes hours or the memory
# of the machine: the Z3 proof grows steeply with the scope and the depth.
EXAMPLES_RANGE = (1, 100_000)
SECONDS_RANGE = (1.0, 86_400.0)  # one second to one day, for the whole run
DEPTH_RANGE = (1, 16)
SCOPE_RANGE = (1, 8)  # each of L (log entries) and E (epochs) of --scope L E
SEED_RANGE = (0, 2**32 - 1)
