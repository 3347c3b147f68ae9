"""How fast the object layer's Z3 engine derives, proves and searches:
figures for docs/z3.md (the object layer).

    python bench/z3_objects.py [--profile entra] [--runs N] [--necessity]

Each run is a fresh process (nothing cached): the derivation of the
relation over one history from the model's object code (build), the
Houdini proof on the safe design (invariants and the three properties),
and for each object flaw the shortest path of object steps breaking each
property it names, its length as model actions, and after shortening.
Medians of --runs. With --necessity: each auxiliary invariant dropped in
turn, which conjuncts Houdini then drops. Figures are noisy when other work
shares the machine; nothing here is asserted.
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

OBJECT_FLAWS = [f for f, fl in FLAWS.items() if fl.area == "objects"]


def one_run(profile: str) -> dict:
    from dirproof.proofs.objects_derive import object_system
    from dirproof.proofs.objects_proof import bmc_objects, prove_objects, shortened
    cfg = make_config(profile)
    t0 = time.perf_counter()
    sys_ = object_system(cfg)
    out: dict = {"build": time.perf_counter() - t0, "keys": len(sys_.pre), "actions": len(sys_.acts)}
    proof = prove_objects(cfg)
    out["proof"] = proof.seconds
    from dirproof.properties.objects import OBJECT_FORMS
    out["proved"] = [p for p in OBJECT_FORMS if proof.proved(p)]
    out["obligations"] = len(proof.rounds[-1].obligations)
    out["flaws"] = {}
    for flaw in OBJECT_FLAWS:
        fcfg = make_config(profile, flaws=[flaw])
        for prop in FLAWS[flaw].caught_by:
            res = bmc_objects(fcfg, prop, 8)
            cx = shortened(fcfg, res)
            out["flaws"][f"{flaw} / {prop}"] = {"steps": res.depth, "actions": len(res.trace.steps),
                                                "shortened": len(cx.steps), "seconds": res.seconds,
                                                "path": list(res.trace.acts)}
    return out


def necessity(profile: str) -> None:
    from dirproof.properties.object_invariants import OBJECT_INVARIANTS
    from dirproof.proofs.objects_proof import prove_objects
    cfg = make_config(profile)
    for inv in OBJECT_INVARIANTS:
        aux = [i for i in OBJECT_INVARIANTS if i != inv]
        proof = prove_objects(cfg, aux=aux)
        print(f"without {inv}: dropped {', '.join(d for d, _ in proof.dropped) or 'nothing'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profile", default="entra")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--necessity", action="store_true")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_run(args.profile)))
        return
    if args.necessity:
        necessity(args.profile)
        return
    runs = [json.loads(subprocess.run([sys.executable, __file__, "--one", "--profile", args.profile],
                                      check=True, capture_output=True, text=True).stdout) for _ in range(args.runs)]

    def med(get) -> float:
        return statistics.median(get(r) for r in runs)
    r0 = runs[0]
    print(f"profile {args.profile}, medians of {args.runs} runs")
    print(f"relation: {r0['actions']} actions, {r0['keys']} keys, derived in {med(lambda r: r['build']):.2f} s")
    print(f"proof (safe): {', '.join(r0['proved'])} proved, {r0['obligations']} obligations, "
          f"{med(lambda r: r['proof']):.2f} s")
    print("flaw / property | object steps | model actions | shortened | seconds | path")
    for key, f in r0["flaws"].items():
        print(f"{key} | {f['steps']} | {f['actions']} | {f['shortened']} | "
              f"{med(lambda r: r['flaws'][key]['seconds']):.2f} | {' ; '.join(f['path'])}")


if __name__ == "__main__":
    main()
