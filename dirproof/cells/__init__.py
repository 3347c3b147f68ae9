"""The engines' side of the cells layer (model/cells/): its exploration
(explore.py), its Z3 relation derived from the steps (z3_derive.py), its
proof and bounded search (z3_engine.py) and its replay words (replay.py).
`dirproof check` runs them beside the partition's engines
(dirproof/engines.py SIDE_MODULES)."""
