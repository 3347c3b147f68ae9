"""How fast the engines of a machine beside the partition (the identity or
cells layer) run, and what they find: figures for docs/model.md. Run
through bench/identity.py or bench/cells.py, or as

    python bench/side_machines.py --layer identity|cells [--runs N] [--walks N]

Each run is a fresh process (nothing cached): the exploration of the safe
design (--walks walks), each flaw's first failing walk and its 1-minimal
length, the derivation of the Z3 relation, the inductive proof of the safe
design, and each flaw's shortest counterexample by the bounded search.
Medians of --runs. Figures are noisy when other work shares the machine;
nothing here is asserted.
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from dirproof.model import FLAWS, make_config  # noqa: E402

# layer -> (its system function in dirproof/<layer>/z3_derive.py, its properties registry, default walks)
LAYERS = {"identity": ("id_system", "IDENTITY_PROPERTIES", 300), "cells": ("cell_system", "CELL_PROPERTIES", 200)}


def _timed(out: dict, key: str, fn):
    t0 = time.perf_counter()
    got = fn()
    out[key] = time.perf_counter() - t0
    return got


def one_run(layer: str, walks: int) -> dict:
    system_name, registry, _ = LAYERS[layer]
    explore_mod = importlib.import_module(f"dirproof.{layer}.explore")
    system = getattr(importlib.import_module(f"dirproof.{layer}.z3_derive"), system_name)
    engine = importlib.import_module(f"dirproof.{layer}.z3_engine")
    props, out = tuple(getattr(importlib.import_module(f"dirproof.properties.{layer}"), registry)), {}
    _timed(out, "explore safe", lambda: explore_mod.explore(make_config(), props, walks, seed=1))
    _timed(out, "derive", lambda: system(make_config()))
    _timed(out, "prove safe", lambda: engine.prove(make_config()))
    for f in [f for f, fl in FLAWS.items() if fl.area == layer]:
        cfg, prop = make_config(flaws=[f]), FLAWS[f].caught_by[0]
        found = _timed(out, f"{f} explore", lambda: explore_mod.explore(cfg, props, walks, seed=1)).found.get(prop)
        out[f"{f} explored length"] = len(explore_mod.minimal(cfg, found).steps) if found else None
        tr, _ = _timed(out, f"{f} bmc", lambda: engine.bmc(cfg, prop))
        out[f"{f} shortest"] = len(tr.steps) if tr else None
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layer", choices=sorted(LAYERS), required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--walks", type=int)
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    walks = args.walks if args.walks is not None else LAYERS[args.layer][2]
    if args.one:
        print(json.dumps(one_run(args.layer, walks)))
        return
    cmd = [sys.executable, str(Path(__file__).resolve()), "--layer", args.layer, "--one", "--walks", str(walks)]
    runs = [json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
            for _ in range(args.runs)]
    for key in runs[0]:
        vals = [r[key] for r in runs]
        if any(v is None for v in vals) or not all(isinstance(v, float) for v in vals):
            print(f"{key:45s} {vals}")
        else:
            print(f"{key:45s} {statistics.median(vals):7.2f} s (median of {len(vals)})")


if __name__ == "__main__":
    main()
