"""How fast the Z3 engine proves and searches: figures for docs/z3.md.

    python bench/z3.py [--profile entra] [--proofs] [--flaws [ID ...]] [--depth-rate SECONDS]
                       [--scope L E] [--vacuity] [--objects] [--json FILE]

With no selection it runs everything:

  proofs      the inductive proof of the five replication and session
              properties with every auxiliary invariant (the safe design),
              once all together (what `dirproof check --engine z3` runs), then
              each property alone (its own goal, the whole invariant as
              hypothesis): time per proof, per step, build time;
  flaws       for each seeded flaw of design.md §5 whose property has a Z3
              form, the bounded search for the shortest counterexample:
              length found, time per depth, total time; and that the path
              replays on the Python model;
  depth rate  the bounded search on the safe design for a fixed time: the
              depth reached and depths per second, per property;
  vacuity     the shortest witness that each property's subject is reachable;
  necessity   (only with --necessity) each auxiliary invariant dropped in
              turn: which obligations then fail.
  objects     (only with --objects) the object layer over one history
              (model/symbolic_objects.py): its proof on the safe design for
              several sizes, each object flaw's shortest counterexample, the
              depth the bounded search reaches on the safe design in a fixed
              time, vacuity, and each object invariant dropped in turn.

Figures are noisy when other work shares the machine; nothing here is
asserted (tests/test_z3_*.py assert behaviour, not speed).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

# This file is named z3.py: its own folder must not shadow the z3 package.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from dirproof.model import FLAWS, make_config  # noqa: E402
from dirproof.model.symbolic import Scope  # noqa: E402
from dirproof.properties.z3_forms import IN_SCOPE  # noqa: E402
from dirproof.z3_engine import (PROOF_SCOPE, VACUITY, bmc, induction, invariant_forms,  # noqa: E402
                                witness)


def proofs(cfg, scope) -> dict:
    out = {}
    t = time.perf_counter()
    rep = induction(cfg, scope)
    out["together"] = {"seconds": round(time.perf_counter() - t, 2), "ok": rep.ok,
                       "obligations": len(rep.obligations), "build": round(rep.build_seconds, 2),
                       "failures": [o.text() for o in rep.failures()]}
    by_step: dict = {}
    for o in rep.obligations:
        by_step[o.step] = by_step.get(o.step, 0) + o.seconds
    out["together"]["per_step"] = {k: round(v, 2) for k, v in sorted(by_step.items(), key=lambda x: -x[1])}
    print(f"proof of all five together: {out['together']['seconds']} s, ok={rep.ok}, "
          f"{len(rep.obligations)} obligations", flush=True)
    for prop in IN_SCOPE:
        t = time.perf_counter()
        one = induction(cfg, scope, invariant_forms(), only=[prop])
        out[prop] = {"seconds": round(time.perf_counter() - t, 2), "ok": one.ok}
        print(f"  {prop}: {out[prop]['seconds']} s, ok={one.ok}", flush=True)
    return out


def flaw_searches(profile: str, ids, depth: int) -> dict:
    """The shortest execution that breaks any property the flaw must break."""
    out = {}
    for fid in ids:
        props = tuple(p for p in FLAWS[fid].caught_by if p in IN_SCOPE)
        if not props:
            continue
        cfg = make_config(profile, flaws=(fid,))
        res = bmc(cfg, props, depth, progress=lambda k, n, text: print(f"    [{fid}] {text}", flush=True))
        row = {"properties": props, "found": res.found, "length": res.depth if res.found else None,
               "searched_to": res.depth, "seconds": round(res.seconds, 2),
               "per_depth": [(k, round(s, 2)) for k, s, _ in res.per_depth]}
        if res.found:
            row["property"] = res.property
            row["steps"] = [a.text(cfg) for a in res.trace.acts]
            row["message"] = res.trace.message
        out[fid] = row
        print(f"{fid}: " + (f"shortest {res.depth} steps, breaks {res.property}" if res.found else
                             f"none to depth {res.depth}") + f" ({row['seconds']} s; per depth "
              f"{row['per_depth']})", flush=True)
        if res.found:
            print("    " + " ; ".join(row["steps"]), flush=True)
            print("    " + row["message"], flush=True)
    return out


def depth_rate(cfg, seconds: float, depth: int = 12) -> dict:
    """Depth reached in `seconds` (the scope is that of a `depth`-step search)."""
    out = {}
    for prop in IN_SCOPE:
        res = bmc(cfg, prop, depth=depth, seconds=seconds)
        spent = res.seconds
        out[prop] = {"depth": res.depth, "seconds": round(spent, 2),
                     "depths_per_second": round(res.depth / spent, 3) if spent else None,
                     "per_depth": [(k, round(s, 2)) for k, s, _ in res.per_depth]}
        print(f"safe {prop}: depth {res.depth} in {round(spent, 1)} s "
              f"({out[prop]['depths_per_second']} depths/s)", flush=True)
    return out


def necessity(cfg, scope) -> dict:
    """Drop each auxiliary invariant in turn: what is then not preserved."""
    from dirproof.properties.invariants import INVARIANTS
    out = {}
    for drop in INVARIANTS:
        forms = [f for f in invariant_forms() if f[0] != drop]
        t = time.perf_counter()
        rep = induction(cfg, scope, forms)
        fails = [o.text() for o in rep.failures()] + [f"`{i}` fails initiation" for i in rep.initiation]
        out[drop] = {"seconds": round(time.perf_counter() - t, 2), "failures": fails}
        print(f"without {drop}: " + ("still inductive" if not fails else "; ".join(fails[:3])
                                     + (f" (+{len(fails) - 3})" if len(fails) > 3 else "")), flush=True)
    return out


def vacuity(cfg) -> dict:
    out = {}
    for prop in VACUITY:
        w = witness(cfg, prop, depth=8)
        out[prop] = {"found": w.found, "length": w.depth, "seconds": round(w.seconds, 2),
                     "steps": [repr(s) for s in w.steps]}
        print(f"vacuity {prop}: {'reached in ' + str(w.depth) + ' steps' if w.found else 'NOT reached'} "
              f"({round(w.seconds, 1)} s)", flush=True)
    return out


def objects(profile: str, seconds: float) -> dict:
    """The object layer: proofs, flaws, depth rate, vacuity, necessity."""
    from dirproof.properties.object_invariants import OBJECT_INVARIANTS
    from dirproof.properties.z3_object_forms import OBJECT_FORMS
    from dirproof.z3_objects import (OBJECT_VACUITY, bmc_objects, object_forms, object_induction,
                                    object_system, object_witness)
    out: dict = {"proofs": {}, "flaws": {}, "necessity": {}, "vacuity": {}}
    sizes = {"": {}, "objects=4, attributes=3, values=3": dict(objects=4, attributes=3, values=3),
             "snapshot every 7 days, 10 kept": dict(snapshot_every_days=7, snapshots_kept=10)}
    for name, over in sizes.items():
        cfg = make_config(profile, **over)
        t = time.perf_counter()
        object_system.cache_clear()
        rep = object_induction(cfg)
        secs = round(time.perf_counter() - t, 2)
        out["proofs"][name or profile] = {"seconds": secs, "ok": rep.ok, "obligations": len(rep.obligations),
                                          "build": round(rep.build_seconds, 2)}
        print(f"object proof {name or profile}: {secs} s (build {round(rep.build_seconds, 2)} s), "
              f"ok={rep.ok}, {len(rep.obligations)} obligations", flush=True)
    for fid, fl in FLAWS.items():
        props = tuple(p for p in fl.caught_by if p in OBJECT_FORMS)
        if not props:
            continue
        cfg = make_config(profile, flaws=(fid,))
        for prop in props:
            res = bmc_objects(cfg, prop, 8)
            row = {"found": res.found, "object_steps": res.depth, "seconds": round(res.seconds, 2),
                   "actions": res.trace.violated_at if res.found else None,
                   "path": list(res.trace.acts) if res.found else None}
            out["flaws"][f"{fid}/{prop}"] = row
            print(f"{fid} / {prop}: " + (f"shortest {res.depth} object steps = {row['actions']} model "
                                         f"actions ({row['seconds']} s): {' ; '.join(row['path'])}"
                                         if res.found else f"none to {res.depth}"), flush=True)
    cfg = make_config(profile)
    res = bmc_objects(cfg, tuple(OBJECT_FORMS), 40, seconds=seconds)
    out["depth_rate"] = {"depth": res.depth, "seconds": round(res.seconds, 2),
                         "per_depth": [(k, round(s, 2)) for k, s, _ in res.per_depth]}
    print(f"safe object layer: no violation to depth {res.depth} object steps in {round(res.seconds, 1)} s "
          f"(per depth {out['depth_rate']['per_depth']})", flush=True)
    for prop in OBJECT_VACUITY:
        w = object_witness(cfg, prop, 8)
        out["vacuity"][prop] = {"found": w.found, "length": w.depth, "seconds": round(w.seconds, 2)}
        print(f"object vacuity {prop}: {'reached in ' + str(w.depth) + ' object steps' if w.found else 'NOT reached'}"
              f" ({round(w.seconds, 2)} s)", flush=True)
    for drop in OBJECT_INVARIANTS:
        rep = object_induction(cfg, [f for f in object_forms() if f[0] != drop])
        fails = [o.text() for o in rep.failures()]
        out["necessity"][drop] = fails
        print(f"without {drop}: " + ("; ".join(fails) or "still inductive"), flush=True)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profile", default="entra")
    ap.add_argument("--proofs", action="store_true")
    ap.add_argument("--flaws", nargs="*", default=None)
    ap.add_argument("--depth", type=int, default=10, help="deepest bounded search for a flaw")
    ap.add_argument("--depth-rate", type=float, default=None, metavar="SECONDS")
    ap.add_argument("--vacuity", action="store_true")
    ap.add_argument("--necessity", action="store_true",
                    help="drop each auxiliary invariant in turn and show what fails (not in the default run)")
    ap.add_argument("--objects", action="store_true",
                    help="the object layer over one history (not in the default run); "
                         "--depth-rate then times its bounded search (default 60 s)")
    ap.add_argument("--scope", nargs=2, type=int, default=None, metavar=("L", "E"))
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    everything = not (args.proofs or args.flaws is not None or args.depth_rate or args.vacuity
                      or args.necessity or args.objects)
    cfg = make_config(args.profile)
    scope = Scope(log=args.scope[0], epochs=args.scope[1]) if args.scope else PROOF_SCOPE
    report: dict = {"profile": args.profile, "scope": [scope.log, scope.epochs]}
    if everything or args.proofs:
        report["proofs"] = proofs(cfg, scope)
    if everything or args.flaws is not None:
        ids = args.flaws or [f for f, fl in FLAWS.items() if set(fl.caught_by) & set(IN_SCOPE)]
        report["flaws"] = flaw_searches(args.profile, ids, args.depth)
    if everything or (args.depth_rate and not args.objects):  # with --objects: the object search's time
        report["depth_rate"] = depth_rate(cfg, args.depth_rate or 60.0, args.depth)
    if everything or args.vacuity:
        report["vacuity"] = vacuity(cfg)
    if args.necessity:
        report["necessity"] = necessity(cfg, scope)
    if args.objects:
        report["objects"] = objects(args.profile, args.depth_rate or 60.0)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
