"""Before and after in one sitting: the model's speed and the fixed-scope
proof's time, for several checkouts taken in turn (figures, never asserted).

Each checkout is named by `NAME=PYTHON:WORKTREE`, the interpreter of a
virtual environment in which that worktree's dirproof is installed (the
other dependencies may be shared), for example the code before the
one-source redesign, today's main, and this branch:

    python bench/before_after.py --runs 5 \\
        --at 9838773=/work/venvs/b9838/bin/python:/work/wt/b9838 \\
        --at main=/work/venvs/main/bin/python:/work/wt/main \\
        --at now=.venv/bin/python:.

Rounds alternate the checkouts (A B C A B C ...), so that the machine's
other load falls on all of them alike; medians over the rounds. Reported:

  model   `bench/model_steps.py --profile entra --steps N --repeat 1` of each
          worktree (its own copy of the walk): step() calls per CPU second,
          protocol and uniform walks;
  proof   the inductive proof of the replication properties with every
          auxiliary invariant on `entra`, logs <= 3, epochs <= 3, in a fresh
          process: CPU seconds and wall seconds, derivation included, and the
          number of obligations. The redesign's API (dirproof.proofs) is used
          where the checkout has it, else the hand-written engine's
          (dirproof.z3_engine, before the redesign).

CPU seconds are steadier than wall-clock ones when other work shares the
machine, but both grow with the load: compare checkouts within one sitting.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import tempfile

PROOF = r"""
import json, resource, time
from dirproof.model import make_config
cfg = make_config("entra")
t, c = time.perf_counter(), time.process_time()
try:
    from dirproof.proofs.forms import REPLICATION
    from dirproof.proofs.induction import PROOF_SCOPE, induction
    from dirproof.properties.invariants import INVARIANTS
    rep = induction(cfg, PROOF_SCOPE, list(INVARIANTS) + list(REPLICATION))
except ImportError:
    from dirproof.z3_engine import PROOF_SCOPE, induction
    rep = induction(cfg, PROOF_SCOPE)
print(json.dumps({"cpu": time.process_time() - c, "wall": time.perf_counter() - t, "ok": rep.ok,
                  "obligations": len(rep.obligations)}))
"""


def parse_at(text: str) -> tuple[str, str, str]:
    name, rest = text.split("=", 1)
    python, tree = rest.rsplit(":", 1)
    return name, os.path.abspath(python) if os.sep in python else python, os.path.abspath(tree)


def model_round(python: str, tree: str, steps: int) -> dict:
    out = subprocess.run([python, os.path.join(tree, "bench", "model_steps.py"), "--profile", "entra",
                          "--steps", str(steps), "--repeat", "1"], capture_output=True, text=True, check=True,
                         cwd=tree)
    rates = {}
    for line in out.stdout.splitlines():
        m = re.match(r"entra\s+(protocol|uniform)\s+[\d,]+\s+([\d,]+)", line)
        if m:
            rates[m.group(1)] = int(m.group(2).replace(",", ""))
    return rates


def proof_round(python: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:  # not inside a worktree: its dirproof/ would shadow
        out = subprocess.run([python, "-c", PROOF], capture_output=True, text=True, check=True, cwd=tmp)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--at", action="append", required=True, metavar="NAME=PYTHON:WORKTREE")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--steps", type=int, default=50_000, help="step() calls per model run")
    ap.add_argument("--no-model", action="store_true")
    ap.add_argument("--no-proof", action="store_true")
    a = ap.parse_args(argv)
    checkouts = [parse_at(x) for x in a.at]
    print(f"# {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {a.runs} rounds", flush=True)
    got: dict = {name: {"protocol": [], "uniform": [], "cpu": [], "wall": [], "obligations": set(), "ok": set()}
                 for name, _, _ in checkouts}
    for r in range(a.runs):
        for name, python, tree in checkouts:
            g = got[name]
            if not a.no_model:
                rates = model_round(python, tree, a.steps)
                g["protocol"].append(rates["protocol"])
                g["uniform"].append(rates["uniform"])
            if not a.no_proof:
                p = proof_round(python)
                g["cpu"].append(p["cpu"])
                g["wall"].append(p["wall"])
                g["obligations"].add(p["obligations"])
                g["ok"].add(p["ok"])
            print(f"round {r + 1} {name}: " + json.dumps({k: v[-1] for k, v in g.items() if isinstance(v, list) and v}),
                  flush=True)
    print(f"\n{'checkout':12} {'protocol calls/s':>17} {'uniform calls/s':>16} {'proof cpu s':>12} "
          f"{'proof wall s':>13}  obligations, proved")
    for name, _, _ in checkouts:
        g = got[name]
        med = {k: statistics.median(g[k]) if g[k] else float("nan") for k in ("protocol", "uniform", "cpu", "wall")}
        print(f"{name:12} {med['protocol']:17,.0f} {med['uniform']:16,.0f} {med['cpu']:12.2f} {med['wall']:13.2f}  "
              f"{sorted(g['obligations'])}, {sorted(g['ok'])}")
    print(f"# load average now {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
