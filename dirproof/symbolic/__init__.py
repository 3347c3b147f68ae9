"""The Z3 form of the model, derived from the model's own step functions.

A symbolic run executes a step of `dirproof.model` (model/next.py `NEXT`)
over a state whose fields are Z3 terms (`states.py`), forking where the step
branches on the state and merging the paths (`paths.py`), so that the
transition relation used by bounded model checking and induction
(`derive.py`) is the model itself, not a second copy of it. `terms.py` is
the Z3 side of model/algebra.py, `seqs.py` the bounded sequences that stand
for logs, roles and the ledger of acknowledged entries. docs/z3.md explains
the derivation and what it does not derive.
"""
