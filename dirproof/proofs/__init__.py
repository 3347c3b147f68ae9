"""Z3's checks over the derived relation (dirproof/symbolic): bounded model
checking (`bmc.py`), induction with counterexamples to induction shown as
model states (`induction.py`), Houdini and the verdicts (`houdini.py`)."""

from dirproof.interrupt import prepare_z3

prepare_z3()  # Ctrl-C reaches Python, not Z3's own handler (dirproof/interrupt.py)
