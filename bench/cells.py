"""How fast the cells layer's engines run, and what they find: figures for
docs/model.md ("Cells").

    python bench/cells.py [--runs N] [--walks N]

Each run is a fresh process (nothing cached): the exploration of the safe
design (--walks walks), each cells flaw's first failing walk and its
1-minimal length, the derivation of the Z3 relation, the inductive proof of
the safe design, and each flaw's shortest counterexample by the bounded
search. Medians of --runs. Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from dirproof.model import FLAWS, make_config  # noqa: E402

CELL_FLAWS = [f for f, fl in FLAWS.items() if fl.area == "cells"]


def _timed(out: dict, key: str, fn):
    t0 = time.perf_counter()
    got = fn()
    out[key] = time.perf_counter() - t0
    return got


def one_run(walks: int) -> dict:
    from dirproof.cells.explore import explore, minimal
    from dirproof.cells.z3_derive import cell_system
    from dirproof.cells.z3_engine import bmc, prove
    from dirproof.properties.cells import CELL_PROPERTIES
    props, out = tuple(CELL_PROPERTIES), {}
    _timed(out, "explore safe", lambda: explore(make_config(), props, walks, seed=1))
    _timed(out, "derive", lambda: cell_system(make_config()))
    _timed(out, "prove safe", lambda: prove(make_config()))
    for f in CELL_FLAWS:
        cfg, prop = make_config(flaws=[f]), FLAWS[f].caught_by[0]
        found = _timed(out, f"{f} explore", lambda: explore(cfg, props, walks, seed=1)).found.get(prop)
        out[f"{f} explored length"] = len(minimal(cfg, found).steps) if found else None
        tr, _ = _timed(out, f"{f} bmc", lambda: bmc(cfg, prop))
        out[f"{f} shortest"] = len(tr.steps) if tr else None
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--walks", type=int, default=200)
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_run(args.walks)))
        return
    runs = [json.loads(subprocess.run([sys.executable, __file__, "--one", "--walks", str(args.walks)],
                                      capture_output=True, text=True, check=True).stdout) for _ in range(args.runs)]
    for key in runs[0]:
        vals = [r[key] for r in runs]
        if any(v is None for v in vals) or not all(isinstance(v, float) for v in vals):
            print(f"{key:45s} {vals}")
        else:
            print(f"{key:45s} {statistics.median(vals):7.2f} s (median of {len(vals)})")


if __name__ == "__main__":
    main()
