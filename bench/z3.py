"""How fast the Z3 engine proves and searches: figures for docs/z3.md.

    python bench/z3.py [--profile entra] [--runs N] [--proofs] [--flaws [ID ...]] [--depth K]
                       [--scope L E] [--vacuity] [--necessity] [--json FILE]

With no selection it runs proofs, flaws (the fast ones) and vacuity:

  proofs      the inductive proof of the replication properties with every
              auxiliary invariant on the safe design, over the relation
              derived from the model: build time of the relation, total,
              per step (medians of --runs runs, each in a fresh process);
              and beside it the parametric proof of the same properties
              for any size (dirproof/parametric, bench/parametric.py);
  flaws       each seeded flaw's shortest counterexample by bounded search
              (all its named properties at once): length, time, replayed;
  vacuity     the shortest witness of each property's subject;
  necessity   (only with --necessity) each auxiliary invariant dropped in
              turn: which obligations then fail.

Figures are noisy when other work shares the machine; nothing here is
asserted (the tests assert behaviour, not speed).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

# This file is named z3.py: its own folder must not shadow the z3 package.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from dirproof.model import FLAWS, make_config  # noqa: E402
from dirproof.proofs.bmc import SEARCHABLE  # noqa: E402
from dirproof.proofs.forms import REPLICATION  # noqa: E402
from dirproof.symbolic.states import Scope  # noqa: E402

FAST = ("ack-before-sync", "ship-unacked", "read-ignores-token", "token-reset-on-failover", "pp-same-region",
        "promote-any-secondary")


def one_proof(profile: str, scope: Scope) -> dict:
    """One proof in this process (the caller runs it in a fresh one)."""
    from dirproof.properties.invariants import INVARIANTS
    from dirproof.proofs.induction import induction, proof_system
    cfg = make_config(profile)
    t = time.perf_counter()
    sys_ = proof_system(cfg, scope)
    build = time.perf_counter() - t
    rep = induction(cfg, scope, list(INVARIANTS) + list(REPLICATION))
    per: dict = {}
    for o in rep.obligations:
        per[o.step] = per.get(o.step, 0.0) + o.seconds
    return {"ok": rep.ok, "build": build, "total": time.perf_counter() - t, "obligations": len(rep.obligations),
            "per_step": per, "actions": len(sys_.acts)}


def proofs(profile: str, scope: Scope, runs: int) -> dict:
    got = []
    for _ in range(runs):
        # not with bench/ on the path: this file would shadow the z3 package
        code = (f"import json; from dirproof.symbolic.states import Scope; "
                f"import runpy; m = runpy.run_path({str(_HERE / 'z3.py')!r}, run_name='bench'); "
                f"print(json.dumps(m['one_proof']({profile!r}, Scope({scope.log}, {scope.epochs}))))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        got.append(json.loads(out.stdout.strip().splitlines()[-1]))
    med = {k: round(statistics.median(g[k] for g in got), 2) for k in ("build", "total")}
    steps = {s: round(statistics.median(g["per_step"][s] for g in got), 2) for s in got[0]["per_step"]}
    return {"profile": profile, "scope": [scope.log, scope.epochs], "runs": runs, "ok": all(g["ok"] for g in got),
            "obligations": got[0]["obligations"], "actions": got[0]["actions"], **med,
            "all": [round(g["total"], 2) for g in got], "per_step": steps}


def flaw_searches(profile: str, ids, depth: int) -> dict:
    from dirproof.proofs.bmc import bmc
    out = {}
    for f in ids:
        props = tuple(p for p in FLAWS[f].caught_by if p in SEARCHABLE)
        if not props:
            continue
        t = time.perf_counter()
        r = bmc(make_config(profile, flaws=[f]), props, depth)
        out[f] = {"found": r.found, "length": r.depth if r.found else None, "property": r.property,
                  "seconds": round(time.perf_counter() - t, 2),
                  "path": [type(a).__name__ for a in r.trace.steps] if r.trace else []}
        print(f, out[f], flush=True)
    return out


def vacuity(profile: str) -> dict:
    from dirproof.proofs.houdini import witnesses
    from dirproof.properties.subjects import SUBJECTS
    t = time.perf_counter()
    ws = witnesses(make_config(profile), list(SUBJECTS))
    return {"seconds": round(time.perf_counter() - t, 2),
            **{p: {"found": w.found, "depth": w.depth, "at": round(w.seconds, 2)} for p, w in ws.items()}}


def necessity(profile: str, scope: Scope) -> dict:
    from dirproof.properties.invariants import INVARIANTS
    from dirproof.proofs.induction import induction
    cfg = make_config(profile)
    out = {}
    for drop in INVARIANTS:
        rep = induction(cfg, scope, [n for n in INVARIANTS if n != drop] + list(REPLICATION))
        out[drop] = [o.text() for o in rep.failures()][:4]
        print(drop, out[drop], flush=True)
    return out


def parametric(runs: int) -> dict:
    """Beside the fixed-scope proof: the parametric proof of the same five
    properties for any size (bench/parametric.py has its details), the
    medians of `runs` fresh processes."""
    got = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, str(_HERE / "parametric.py"), "--one"], capture_output=True,
                             text=True, check=True)
        got.append(json.loads(out.stdout))
    return {"what": "parametric proof (any size), proof and transition witnesses", "runs": runs,
            "ok": all(g["ok"] for g in got), "obligations": got[0]["obligations"],
            "proof": round(statistics.median(g["proof"] for g in got), 2),
            "witnesses": round(statistics.median(g["witnesses"] for g in got), 2),
            "all": [round(g["proof"], 2) for g in got]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profile", default="entra")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--proofs", action="store_true")
    ap.add_argument("--flaws", nargs="*", default=None)
    ap.add_argument("--depth", type=int, default=8)
    ap.add_argument("--scope", nargs=2, type=int, default=(3, 3))
    ap.add_argument("--vacuity", action="store_true")
    ap.add_argument("--necessity", action="store_true")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args(argv)
    scope = Scope(*a.scope)
    everything = not (a.proofs or a.flaws is not None or a.vacuity or a.necessity)
    res: dict = {}
    if a.proofs or everything:
        res["proofs"] = proofs(a.profile, scope, a.runs)
        print(json.dumps(res["proofs"]), flush=True)
        res["parametric"] = parametric(a.runs)
        print(json.dumps(res["parametric"]), flush=True)
    if a.flaws is not None or everything:
        res["flaws"] = flaw_searches(a.profile, a.flaws or FAST, a.depth)
    if a.vacuity or everything:
        res["vacuity"] = vacuity(a.profile)
        print(json.dumps(res["vacuity"]), flush=True)
    if a.necessity:
        res["necessity"] = necessity(a.profile, scope)
    if a.json:
        a.json.write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
