"""The cells layer (model/cells/, design.md §8): each flaw is caught by both
engines with the property's name and a shortest counterexample that
replays; the safe design is proved (Z3, fixed scope) and holds under
exploration; the relation derived from the Python steps agrees with them
on the states that matter, and a wrong translation is caught; every step
changes only the fields its row declares."""

import random

import attrs
import pytest
import z3

from dirproof.cells.z3_derive import as_term, cell_system, derive, values_of
from dirproof.cells.z3_engine import bmc, prove, witness
from dirproof.counterexample import load
from dirproof.engines import EngineRequest, run
from dirproof.model import FLAWS, make_config
from dirproof.model.cells import CELL_NEXT, CELL_SPECS, CellState, cell_enabled, cell_step, initial_cell_state
from dirproof.model.cells.state import FIELDS
from dirproof.properties import layer_of
from dirproof.properties.cells import CELL_INVARIANTS, CELL_PROPERTIES
from dirproof.replay import replay
from scenarios import CELL_EXTRA_SCENARIOS, CELL_SCENARIOS, CELL_Z3_SHORTEST

CELL_FLAWS = [f for f, fl in FLAWS.items() if fl.area == "cells"]


def walk_states(cfg, walks=10, length=12):
    out = []
    for seed in range(walks):
        rnd, state = random.Random(seed), initial_cell_state(cfg)
        out.append(state)
        for _ in range(length):
            _, state = rnd.choice(cell_enabled(state))
            out.append(state)
    return out


def scenario_states(flaw, steps):
    s = initial_cell_state(make_config(flaws=[flaw]))
    out = [s]
    for a in steps:
        s = cell_step(s, a)
        out.append(s)
    return out


def test_the_layer_s_flaws_and_scenarios_match():
    assert set(CELL_FLAWS) == set(CELL_SCENARIOS) == {"shared-orchestrator", "shared-gateway"}
    assert all(layer_of(p) == "cells" for f in CELL_FLAWS for p in FLAWS[f].caught_by)


@pytest.mark.parametrize("flaw", CELL_FLAWS)
@pytest.mark.parametrize("engine", ["hypothesis", "z3"])
def test_each_engine_catches_the_flaw_with_a_shortest_replayable_counterexample(engine, flaw, tmp_path):
    req = EngineRequest(make_config(flaws=[flaw]), tuple(CELL_PROPERTIES), seed=1, examples=50, out_dir=tmp_path)
    (r,) = run(engine, req)
    assert (r.property, r.status) == ("cell-isolation", "violated")
    assert r.steps == CELL_Z3_SHORTEST[flaw] == len(CELL_SCENARIOS[flaw][1])
    cx = load(r.counterexample)
    assert cx.property == "cell-isolation" and cx.config.flaws == (flaw,)
    o = replay(cx).outcome
    assert o.reproduced and o.property == "cell-isolation" and o.exit_code == 1


def test_a_shared_orchestrator_also_loses_another_cell_s_data():
    flaw, prop, steps, _ = CELL_EXTRA_SCENARIOS["shared-orchestrator/data"]
    s = scenario_states(flaw, steps)[-1]
    assert "lost its data" in CELL_PROPERTIES[prop].check(s)
    assert CELL_PROPERTIES[prop].check(scenario_states(flaw, steps)[0]) is None


def test_the_safe_design_is_proved_for_its_scope_and_holds_under_exploration(tmp_path):
    cfg = make_config()
    proof = prove(cfg)
    assert proof.broken == () and set(proof.proved) == set(CELL_PROPERTIES) | set(CELL_INVARIANTS)
    (r,) = run("z3", EngineRequest(cfg, ("cell-isolation",), out_dir=tmp_path))
    assert r.status == "proved" and "3 cells" in r.scope
    (h,) = run("hypothesis", EngineRequest(cfg, ("cell-isolation",), seed=1, examples=40, out_dir=tmp_path))
    assert h.status == "held" and "4/4 cells situations reached" in h.detail


def test_the_invariants_hold_on_reached_states():
    for s in walk_states(make_config(), 30):
        assert all(fn(s) is True for fn in CELL_INVARIANTS.values())
        assert CELL_PROPERTIES["cell-isolation"].check(s) is None


def test_a_flaw_turns_the_proof_red_and_no_shorter_violation_exists():
    for flaw in CELL_FLAWS:
        assert "cell-isolation" not in prove(make_config(flaws=[flaw])).proved
    assert bmc(make_config(), "cell-isolation", depth=3)[0] is None
    assert witness(make_config(), "cell-isolation") is not None  # the proof is not vacuous


def disagreements(sys, states):
    """(state, action, what) where the derived relation and the Python step disagree."""
    bad = []
    for s in states:
        keys = values_of(s)
        solver = z3.Solver()
        solver.add(*[sys.pre[k] == keys[k] for k in sys.pre])
        assert solver.check() == z3.sat
        model = solver.model()
        value = lambda t: t if isinstance(t, (bool, int)) else model.eval(as_term(t), model_completion=True)  # noqa: E731
        for act, (guard, post) in zip(sys.acts, sys.cases):
            nxt = cell_step(s, act.action())
            enabled = guard is True or (guard is not False and z3.is_true(value(guard)))
            if enabled != isinstance(nxt, CellState):
                bad.append((s, act.action(), "guard"))
            elif enabled:
                want = values_of(nxt)
                diff = [k for k, v in post.items() if not z3.is_true(z3.simplify(as_term(value(v)) == want[k]))]
                if diff:
                    bad.append((s, act.action(), diff))
    return bad


@pytest.mark.parametrize("flaws", [()] + [(f,) for f in CELL_FLAWS], ids=lambda f: f[0] if f else "safe")
def test_the_derived_relation_agrees_with_the_python_steps(flaws):
    cfg = make_config(flaws=flaws)
    states = walk_states(cfg, 3, 8) + [x for f in CELL_FLAWS for x in scenario_states(f, CELL_SCENARIOS[f][1])[:-1]]
    states += scenario_states("shared-orchestrator", CELL_EXTRA_SCENARIOS["shared-orchestrator/data"][2])
    assert disagreements(cell_system(cfg), [attrs.evolve(x, config=cfg) for x in states]) == []


def test_the_agreement_check_catches_a_wrong_translation():
    safe, flawed = make_config(), make_config(flaws=["shared-gateway"])
    # a translation that derives every step as the shared gateway's (one instance for all cells)
    wrong = cell_system(safe, run=lambda act, st, pre, m: derive(act, attrs.evolve(st, config=flawed), pre, m))
    states = [attrs.evolve(x, config=safe) for x in walk_states(safe, 3, 8)]
    bad = disagreements(wrong, states)
    assert bad and any(type(a).__name__ in ("CellRead", "CellWrite", "CellGatewayFails") for _, a, _ in bad)


def frame_breaches(flaws, specs=CELL_SPECS):
    out = set()
    for s in walk_states(make_config(flaws=flaws), 4, 10):
        for action, nxt in cell_enabled(s):
            spec = specs[type(action)]
            out |= {(spec.name, f) for f in FIELDS if getattr(s, f) != getattr(nxt, f) and f not in spec.modifies}
    return out


def test_every_step_changes_only_what_it_declares_and_a_wrong_row_is_caught():
    for flaws in [()] + [(f,) for f in CELL_FLAWS]:
        assert frame_breaches(flaws) == set()
    wrong = {**CELL_SPECS, CELL_NEXT[0].action: attrs.evolve(CELL_NEXT[0], modifies=("data",))}
    assert ("cell_write", "acked") in frame_breaches((), wrong)


def locality_breaches(flaws):
    """(step, field[index]) where a step changed another cell's entry than the one its argument names."""
    from dirproof.model.cells import TENANT_CELL
    out = set()
    for s in walk_states(make_config(flaws=flaws), 4, 10):
        for action, nxt in cell_enabled(s):
            own = TENANT_CELL[action.tenant] if hasattr(action, "tenant") else action.cell
            out |= {(CELL_SPECS[type(action)].name, f"{f}[{c}]") for f in FIELDS for c in range(len(getattr(s, f)))
                    if c != own and getattr(s, f)[c] != getattr(nxt, f)[c]}
    return out


def test_each_safe_step_touches_only_its_own_cell_and_each_flaw_breaks_that():
    """The reason the fixed-scope proof carries to 117 cells (docs/model.md, "Cells")."""
    assert locality_breaches(()) == set()
    assert ("cell_gateway_fails", "gw_up[0]") in locality_breaches(("shared-gateway",))
    assert ("cell_bad_change", "data[1]") in locality_breaches(("shared-orchestrator",))
