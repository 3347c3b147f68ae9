"""Bounded model checking (dirproof/z3_engine.py): for a seeded flaw, Z3
finds a counterexample of the shortest length, converts it into model
actions and a counterexample file (engine "z3-bmc"), and the file replays on
the Python model with the same violation at the same step. The safe design
has none to the depth searched. `run` reports one result per property in
the Z3 scope (the object properties too: tests/test_z3_objects.py), and
omits the others.

The flaws whose shortest counterexample is short are searched here; the
longer ones (docs/z3.md, bench/z3.py) are checked by replaying the paths
the bounded search found, recorded in tests/scenarios.py, on the model and on the relation.
"""

from __future__ import annotations

import pytest
import z3

from dirproof.counterexample import load
from dirproof.engines import EngineRequest
from dirproof.engines import run as run_engine
from dirproof.model import make_config
from dirproof.model.symbolic import Act
from dirproof.properties import PROPERTIES
from dirproof.replay import replay
from dirproof.z3_engine import Unroller, bmc, bmc_bits, bmc_scope, replay_path, save_counterexample
from scenarios import Z3_FAST as FAST
from scenarios import Z3_RECORDED as RECORDED


@pytest.mark.parametrize("flaw", sorted(FAST))
def test_shortest_counterexample_replays_with_the_same_violation(flaw, tmp_path):
    prop, length = FAST[flaw]
    cfg = make_config("entra", flaws=(flaw,))
    res = bmc(cfg, prop, depth=length)
    assert res.found and res.depth == length and res.property == prop
    assert [s for _, _, s in res.per_depth] == ["unsat"] * (length - 1) + ["sat"]
    path = save_counterexample(cfg, res, tmp_path)
    cx = load(path)
    assert cx.engine == "z3-bmc" and cx.violated_at == length and cx.property == prop
    rp = replay(cx)
    assert rp.outcome.reproduced and rp.outcome.status == "violated"
    assert rp.outcome.step == length == len(cx.steps)


def test_the_safe_design_has_no_short_counterexample():
    cfg = make_config("entra")
    assert not bmc(cfg, ("no-acked-write-lost", "one-history", "read-your-writes", "monotonic-reads",
                         "no-read-of-lost-write"), depth=4).found




@pytest.mark.parametrize("flaw", sorted(RECORDED))
def test_recorded_longer_counterexamples_replay_on_the_model_and_the_relation(flaw):
    prop, path = RECORDED[flaw]
    cfg = make_config("entra", flaws=(flaw,))
    acts = [Act(name, args) for name, args in path]
    steps, states = replay_path(cfg, acts)
    assert PROPERTIES[prop].check(states[-1]) is not None
    assert all(PROPERTIES[prop].check(s) is None for s in states[:-1])
    # and Z3 agrees: with these actions the unrolled relation reaches a violation
    un = Unroller(cfg, bmc_scope(len(acts)), depth=len(acts))
    for _ in acts:
        un.extend()
    pin = [s == un.sys.acts.index(a) for s, a in zip(un.sels, acts)]
    assert un.check(z3.And(*pin, un.bad(prop, len(acts)))) == z3.sat
    assert un.check(z3.And(*pin, z3.Not(un.bad(prop, len(acts))))) == z3.unsat


def test_the_bit_width_grows_with_the_depth():
    """A deep search must not wrap its bit-vectors around (a 6-bit LSN of 39
    would read as -25): the width follows the scope and the depth, and the
    first levels of a deep search of the safe design find nothing."""
    cfg = make_config("small")
    assert bmc_bits(cfg, bmc_scope(8), 8) == 6
    assert bmc_bits(cfg, bmc_scope(40), 40) == 7
    res = bmc(cfg, "no-read-of-lost-write", depth=40, seconds=0.5)
    assert not res.found and res.depth >= 1


def test_the_engine_reports_proofs_and_violations_of_every_property(tmp_path):
    props = ("no-acked-write-lost", "read-your-writes", "monotonic-reads", "no-resurrection",
             "bounded-write-unavailability")
    cfg = make_config("small", flaws=("read-ignores-token",))
    results = run_engine("z3", EngineRequest(cfg, props, depth=5, out_dir=tmp_path))
    by = {r.property: r for r in results}
    assert set(by) == set(props)
    avail = by["bounded-write-unavailability"]  # implied by the invariant (prove_availability)
    assert (avail.status, avail.engine) == ("proved", "z3-induction") and "implied" in avail.detail
    assert (by["no-resurrection"].status, by["no-resurrection"].engine) == ("proved", "z3-induction")
    ok = by["no-acked-write-lost"]
    assert (ok.status, ok.engine) == ("proved", "z3-induction")
    assert "logs of at most 3 entries" in ok.detail and "any number of steps" in ok.detail
    assert "within the fault budget" in ok.detail
    bad = by["read-your-writes"]
    assert bad.status == "violated" and bad.engine == "z3-bmc" and bad.steps == 5
    assert replay(load(bad.counterexample)).outcome.reproduced

    mono = by["monotonic-reads"]  # not inductive under this flaw, and no path of 5 steps breaks it
    assert (mono.status, mono.engine, mono.steps) == ("held", "z3-bmc", 5)
    assert mono.detail.startswith("bounded to depth 5")


def test_over_budget_counterexamples_are_assumption_broken(tmp_path):
    """With over_budget the search may exceed the fault budget: the safe
    design then loses an acknowledged write, reported as assumption-broken."""
    cfg = make_config("small")
    req = EngineRequest(cfg, ("no-acked-write-lost",), depth=5, out_dir=tmp_path, over_budget=True)
    [r] = run_engine("z3", req)
    assert (r.status, r.engine, r.steps) == ("assumption-broken", "z3-bmc", 5)
    cx = load(r.counterexample)
    assert cx.status == "assumption-broken"
    assert replay(cx).outcome.status == "assumption-broken"


@pytest.mark.parametrize("flaw, shortest", [
    # on `small` (A1, B1; 1 step on `entra`): a lost AP leaves no replica to be
    # the new PP until it is back (lose region A, recover A1); the session
    # starts at the AP itself, so it must move to B1 and be cut off from A1
    ("failover-waits-for-old-ap", 2), ("read-waits-for-primary", 2)])
def test_the_availability_flaws_are_found_by_z3_and_replay(flaw, shortest, tmp_path):
    """bounded-write-unavailability's Z3 form (properties/z3_forms.py) reads
    the guards of the encoded steps: under either flaw the invariant no
    longer implies it, and BMC finds the shortest counterexample, which
    replays on the Python model."""
    cfg = make_config("small", flaws=(flaw,))
    [r] = run_engine("z3", EngineRequest(cfg, ("bounded-write-unavailability",), depth=3, out_dir=tmp_path))
    assert (r.status, r.engine, r.steps) == ("violated", "z3-bmc", shortest)
    rp = replay(load(r.counterexample))
    assert rp.outcome.reproduced and rp.outcome.property == "bounded-write-unavailability"
