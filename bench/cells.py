"""How fast the cells layer's engines run, and what they find: figures for
docs/model.md ("Cells").

    python bench/cells.py [--runs N] [--walks N]

Each run is a fresh process (nothing cached): the exploration of the safe
design (--walks walks), each cells flaw's first failing walk and its
1-minimal length, the derivation of the Z3 relation, the inductive proof of
the safe design, and each flaw's shortest counterexample by the bounded
search. Medians of --runs. Nothing here is asserted.

The measurement is bench/side_machines.py's (--layer cells), shared with the
identity layer.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.argv[1:1] = ["--layer", "cells"]
    runpy.run_path(str(Path(__file__).with_name("side_machines.py")), run_name="__main__")
