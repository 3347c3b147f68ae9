"""How fast the parametric proof runs: figures for docs/parametric.md.

    python bench/parametric.py [--runs N] [--flaws] [--json FILE]

proofs  the whole parametric proof of the five replication properties on
        the safe design (EPR lint, initiation, consecution of every
        invariant over every transition, the properties from the
        invariant), and the vacuity witnesses (refine.witnesses); each run
        in a fresh process; medians and spread of --runs runs, the total
        per transition and the slowest obligations (medians);
necessity (with --necessity) each invariant left out in turn: the first
        obligation of the rest that then fails (the invariant is needed
        there), or "redundant" when the rest is still inductive and implies
        the properties.
flaws   (with --flaws) under each replication flaw, the proof over the
        transition the flaw changes (tests/scenarios.py FLAW_STEP), up to
        its first failure: which invariant, and the time (one run each).
objects (with --objects) the object layer's parametric proof (objproof:
        lint, initiation, consecution, the five object properties) in
        fresh processes, and the refinement check with the witnesses
        (objrefine.audit); with --flaws, each object flaw's first failure;
        with --necessity, each object invariant left out in turn.

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
from collections import defaultdict
from pathlib import Path

# bench/z3.py must not shadow the z3 package when this file runs as a script.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent / "tests"))
from scenarios import FLAW_STEP  # noqa: E402  (the step each flaw changes, shared with the tests)


def one_run() -> dict:
    """One proof in this process (what each fresh process runs)."""
    from dirproof.parametric.induction import prove
    from dirproof.parametric.refine import witnesses
    t = time.perf_counter()
    rep = prove()
    proof = time.perf_counter() - t
    t = time.perf_counter()
    live = witnesses()
    return {"ok": rep.ok, "obligations": len(rep.obligations), "proof": proof,
            "witnesses": time.perf_counter() - t, "enabled": sum(v == "yes" for v in live.values()),
            "each": [[o.kind, o.invariant, o.transition, o.seconds] for o in rep.obligations]}


def proofs(runs: int) -> dict:
    out = []
    for k in range(runs):
        res = subprocess.run([sys.executable, __file__, "--one"], capture_output=True, text=True, check=True)
        out.append(json.loads(res.stdout))
        print(f"  run {k + 1}: proof {out[-1]['proof']:.1f} s, witnesses {out[-1]['witnesses']:.1f} s", flush=True)
    per_trans: dict = defaultdict(list)
    per_ob: dict = defaultdict(list)
    for r in out:
        sums: dict = defaultdict(float)
        for kind, inv, trans, sec in r["each"]:
            sums[trans or kind] += sec
            per_ob[(kind, inv, trans)].append(sec)
        for t, s in sums.items():
            per_trans[t].append(s)
    med = statistics.median
    return {"runs": runs, "all_proved": all(r["ok"] for r in out), "obligations": out[0]["obligations"],
            "proof_median": med(r["proof"] for r in out), "proof_min": min(r["proof"] for r in out),
            "proof_max": max(r["proof"] for r in out), "witnesses_median": med(r["witnesses"] for r in out),
            "enabled": out[0]["enabled"],
            "per_transition": {t: med(v) for t, v in sorted(per_trans.items(), key=lambda kv: -med(kv[1]))},
            "slowest": sorted(([*k, med(v)] for k, v in per_ob.items()), key=lambda x: -x[3])[:8]}


def flaws() -> dict:
    from dirproof.parametric import induction
    induction.MINIMIZE = False
    out = {}
    from dirproof.parametric.protocol import OUTSIDE_THE_FORM
    for flaw, trans in FLAW_STEP.items():
        if flaw in OUTSIDE_THE_FORM:
            continue  # (the form has no transition for its step: no proof to fail)
        t = time.perf_counter()
        rep = induction.prove([flaw], transitions=[trans], first_failure=True)
        bad = rep.failures()
        out[flaw] = {"transition": trans, "seconds": time.perf_counter() - t,
                     "failed": bad[0].headline() if bad else None}
        print(f"  {flaw}: {out[flaw]['failed']} ({out[flaw]['seconds']:.1f} s)", flush=True)
    return out


def necessity() -> dict:
    from dirproof.parametric import induction
    from dirproof.parametric.invariants import explanations
    induction.MINIMIZE, induction.TIMEOUT_MS = False, 10_000
    out = {}
    for name in explanations():
        t = time.perf_counter()
        rep = induction.prove(drop=[name], first_failure=True)
        bad = rep.failures()
        out[name] = {"first_failure": bad[0].headline() if bad else "redundant",
                     "failures": len(bad), "seconds": time.perf_counter() - t}
        print(f"  without {name}: {out[name]['first_failure']} ({len(bad)} failing; "
              f"{out[name]['seconds']:.1f} s)", flush=True)
    return out


def one_objects() -> dict:
    from dirproof.parametric.objproof import prove
    from dirproof.parametric.objrefine import audit
    t = time.perf_counter()
    rep = prove()
    proof = time.perf_counter() - t
    t = time.perf_counter()
    drift, taken = audit()
    return {"ok": rep.ok, "obligations": len(rep.obligations), "proof": proof, "audit": time.perf_counter() - t,
            "refines": not drift, "enabled": sum(v == "yes" for v in taken.values()), "transitions": len(taken),
            "each": [[o.kind, o.invariant, o.transition, o.seconds] for o in rep.obligations]}


def objects(runs: int, with_flaws: bool, with_necessity: bool) -> dict:
    from dirproof.parametric import induction, objproof
    from dirproof.parametric.objinvariants import EXPLAIN
    from dirproof.parametric.objsteps import FLAW_TRANSITION
    out = [json.loads(subprocess.run([sys.executable, __file__, "--one-objects"], capture_output=True, text=True,
                                     check=True).stdout) for _ in range(runs)]
    med = statistics.median
    fig: dict = {"runs": runs, "all_proved": all(r["ok"] for r in out), "obligations": out[0]["obligations"],
                 "proof_median": med(r["proof"] for r in out), "proof_min": min(r["proof"] for r in out),
                 "proof_max": max(r["proof"] for r in out), "audit_median": med(r["audit"] for r in out),
                 "refines": all(r["refines"] for r in out),
                 "enabled": f"{out[0]['enabled']} of {out[0]['transitions']}"}
    print(f"objects: all proved {fig['all_proved']}; {fig['obligations']} obligations; proof median "
          f"{fig['proof_median']:.2f} s (min {fig['proof_min']:.2f}, max {fig['proof_max']:.2f}); refinement and "
          f"witnesses median {fig['audit_median']:.1f} s (model refines: {fig['refines']}; transitions taken "
          f"{fig['enabled']})", flush=True)
    induction.MINIMIZE = False
    if with_flaws:
        fig["flaws"] = {}
        for flaw in FLAW_TRANSITION:
            t = time.perf_counter()
            bad = objproof.prove([flaw], first_failure=True).failures()
            fig["flaws"][flaw] = {"failed": bad[0].headline() if bad else None, "seconds": time.perf_counter() - t}
            print(f"  {flaw}: {fig['flaws'][flaw]['failed']} ({fig['flaws'][flaw]['seconds']:.2f} s)", flush=True)
    if with_necessity:
        fig["necessity"] = {}
        for name in EXPLAIN:
            bad = objproof.prove(drop=[name]).failures()
            fig["necessity"][name] = bad[0].headline() if bad else "redundant"
            print(f"  without {name}: {fig['necessity'][name]} ({len(bad)} failing)", flush=True)
    return fig


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="fresh-process runs of the proof (default 5)")
    ap.add_argument("--flaws", action="store_true", help="also each flaw's first failure")
    ap.add_argument("--necessity", action="store_true", help="also drop each invariant in turn")
    ap.add_argument("--json", type=Path, help="write the figures to this file")
    ap.add_argument("--objects", action="store_true", help="the object layer's proof (only, unless --replication)")
    ap.add_argument("--replication", action="store_true", help="with --objects: the replication proof too")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--one-objects", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_run()))
        return
    if args.one_objects:
        print(json.dumps(one_objects()))
        return
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    fig0 = {"objects": objects(args.runs, args.flaws, args.necessity)} if args.objects else {}
    if args.objects:
        if not args.replication:
            if args.json:
                args.json.write_text(json.dumps(fig0, indent=2))
            return
    print(f"parametric proof, safe design, {args.runs} runs:")
    fig = {"proofs": proofs(args.runs)}
    p = fig["proofs"]
    print(f"all proved: {p['all_proved']}; {p['obligations']} obligations; proof median {p['proof_median']:.1f} s "
          f"(min {p['proof_min']:.1f}, max {p['proof_max']:.1f}); vacuity witnesses median "
          f"{p['witnesses_median']:.1f} s ({p['enabled']} of 16 transitions shown enabled)")
    print("per transition (median s): " + ", ".join(f"{t} {s:.2f}" for t, s in p["per_transition"].items()))
    print("slowest obligations (median s): " + "; ".join(f"{k} {i}/{t} {s:.2f}" for k, i, t, s in p["slowest"]))
    if args.flaws:
        print("flaws (first failure at the transition each changes):")
        fig["flaws"] = flaws()
    if args.necessity:
        print("necessity (each invariant left out):")
        fig["necessity"] = necessity()
    fig.update(fig0)
    if args.json:
        args.json.write_text(json.dumps(fig, indent=2))


if __name__ == "__main__":
    main()
