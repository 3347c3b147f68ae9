"""How fast the identity layer's engines run, and what they find: figures
for docs/model.md ("Identity layer").

    python bench/identity.py [--runs N] [--walks N]

Each run is a fresh process (nothing cached): the exploration of the safe
design (--walks walks), each identity flaw's first failing walk and its
1-minimal length, the derivation of the Z3 relation, the inductive proof of
the safe design, and each flaw's shortest counterexample by the bounded
search. Medians of --runs. Figures are noisy when other work shares the
machine; nothing here is asserted.

The measurement is bench/side_machines.py's (--layer identity), shared with the
cells layer.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.argv[1:1] = ["--layer", "identity"]
    runpy.run_path(str(Path(__file__).with_name("side_machines.py")), run_name="__main__")
