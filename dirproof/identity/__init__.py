"""The engines' side of the identity layer (model/identity/): its
exploration (explore.py), its replay (replay.py) and its Z3 relation,
proofs and bounded search (z3.py, z3_proofs.py). `dirproof check` runs them
beside the partition's engines (dirproof/commands/run_engines.py)."""
