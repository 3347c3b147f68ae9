"""The object layer's parametric form (issue 16, dirproof/parametric/obj*.py):
proved for any number of objects, snapshots and days, in EPR; failing under
each object flaw at the transition the flaw changes, with a readable
counterexample to induction; refined by the model's object layer (and the
refinement check fails on a broken mapping, on a flawed model against the
safe form and on the object mutants); the any-size verdict."""

from __future__ import annotations

import pytest
import z3
from typer.testing import CliRunner

from dirproof.cli import app
from dirproof.model import FLAWS, Rejected, initial_state, step
from dirproof.model.objects import LIVE, SOFT_DELETED
from dirproof.parametric import epr, induction, objengine, objproof, objrefine
from dirproof.parametric.objinvariants import OBJECT_PROPS
from dirproof.parametric.objsteps import FLAW_TRANSITION
from dirproof.parametric.objvocab import DAY, OBJ, OVocab, var
from dirproof.proofs import objects_state as S
from dirproof.results import PropertyResult
from mutants import OBJECT_MUTANTS, applied

NONE: frozenset = frozenset()


@pytest.fixture(autouse=True)
def _fast(monkeypatch):
    monkeypatch.setattr(induction, "MINIMIZE", False)


def test_the_object_form_is_proved_for_any_size():
    rep = objengine.proof_of(NONE)
    assert rep.ok, [o.headline() for o in rep.failures()]
    kinds = {o.kind for o in rep.obligations}
    assert kinds == {"initiation", "consecution", "safety"}
    assert {o.invariant for o in rep.obligations if o.kind == "safety"} == set(OBJECT_PROPS)


def test_every_object_flaw_has_its_transition():
    assert set(FLAW_TRANSITION) == {f for f, spec in FLAWS.items() if spec.area == "objects"}


@pytest.mark.parametrize("flaw", sorted(FLAW_TRANSITION))
def test_each_object_flaw_breaks_the_proof_at_the_transition_it_changes(flaw):
    changed = objproof.changed_by([flaw])
    assert FLAW_TRANSITION[flaw] in changed and "tick" not in changed
    rep = objproof.prove([flaw], transitions=changed, first_failure=True)
    (bad,) = rep.failures()
    assert bad.transition in changed
    assert bad.headline() == f"invariant {bad.invariant} is not preserved by transition {bad.transition}"
    assert "before:" in bad.cti and "after:" in bad.cti


def test_a_transition_no_flaw_changes_is_proved_under_that_flaw():
    assert objproof.prove(["purge-early"], transitions=["restore", "tick"]).ok


def test_the_obligations_are_in_epr_and_the_lint_catches_one_that_is_not():
    edges = epr.lint(objproof.formulas(NONE))
    assert ("obj", "day") in edges and not epr.cycle(edges)
    back = z3.Function("back", DAY, OBJ)  # a function from days back to objects closes obj -> day -> obj
    o = var("o", OBJ)
    V = OVocab("")
    with pytest.raises(epr.NotEPR, match="obj -> day"):
        epr.lint(objproof.formulas(NONE) + [z3.ForAll([o], back(V.dd(o)) == o)])


def test_the_counterexample_to_induction_is_small_and_readable(monkeypatch):
    monkeypatch.setattr(induction, "MINIMIZE", True)
    rep = objproof.prove(["purge-early"], transitions=["purge"], only=["early-clear"])
    (o,) = rep.failures()
    assert o.headline() == "invariant early-clear is not preserved by transition purge"
    assert o.cti.startswith("days d0; retention ended (deleted -> by): never; retention - 1 days passed: d0->d0")
    assert "step purge(o=o1)" in o.cti and "monitor latches set: early" in o.cti
    assert "o2" not in o.cti  # one object is enough, and the shrinking finds it


def test_the_model_refines_the_object_form_and_takes_every_transition():
    assert objengine.refines(NONE) == ()
    assert objengine.witnessed(NONE) == ()


def test_a_drawn_walk_of_the_model_refines_the_object_form():
    """Beyond the scripts: operations on any object with any inputs, drawn
    (seeded; the model refuses most: those are skipped), from a state with
    every object created, linked and snapshotted."""
    cfg = objrefine.script_config()
    steps = list(objrefine.walk(cfg, objrefine.script()[:6] + objrefine.drawn(1, 60, cfg)))
    assert len({name for _, name, _ in steps}) >= 8
    assert objrefine.check_walk(cfg, steps) == []


def _soft_as_live(d, st, V):
    """A broken mapping: a soft-deleted record is mapped as live."""
    from attrs import evolve
    def fix(view):
        return tuple(evolve(r, status=LIVE) if r is not None and r.status == SOFT_DELETED else r for r in view)
    return objrefine.structure(d, evolve(st, ap=fix(st.ap), pp=fix(st.pp)), V)


def test_the_refinement_check_fails_on_a_broken_mapping():
    problems = objrefine.model_refines(first=True, mapping=_soft_as_live)
    assert problems and problems[0].startswith("step 7 soft_delete: the model's step soft_delete is not a transition")


def test_the_steered_walk_reaches_the_step_each_flaw_changes():
    """Run side by side, the safe and the flawed model part at a step of the
    steered walk of the transition the flaw changes: one refuses what the
    other accepts (the guard decides), or they fold it differently (model
    only: no solver)."""
    for flaw, transition in FLAW_TRANSITION.items():
        safe, flawed = (initial_state(objrefine.script_config(fl)) for fl in ((), (flaw,)))
        for act, inp in objrefine.steered():
            acts = S.model_actions(safe.config, act, inp)
            a, b = _run(safe, acts), _run(flawed, acts)
            if (a is None) != (b is None) or (a is not None and S.abstract(a) != S.abstract(b)):
                assert act.name == transition, (flaw, act)
                break
            safe, flawed = a or safe, b or flawed
        else:
            raise AssertionError(f"the steered walk never reaches what {flaw} changes")


def _run(state, actions):
    for a in actions:
        state = step(state, a)
        if isinstance(state, Rejected):
            return None
    return state


@pytest.mark.parametrize("flaw", ["restore-drops-links", "delete-live"])
def test_a_flawed_model_does_not_refine_the_safe_form(flaw):
    problems = objrefine.model_refines([flaw], first=True, form_flaws=NONE, walks=("steered",))
    assert problems and f" {FLAW_TRANSITION[flaw]}: the model's step" in problems[0]


@pytest.mark.parametrize("flaw", sorted(FLAW_TRANSITION))
def test_the_flawed_model_takes_the_flawed_forms_transitions(flaw):
    """The form changes the transitions as the flaw changes the model: on
    the steered walk of the flawed model, each step of a transition the
    flaw changes is that transition of the flawed form."""
    changed = frozenset(objproof.changed_by([flaw]))
    cfg = objrefine.script_config([flaw])
    assert FLAW_TRANSITION[flaw] in {name for _, name, _ in objrefine.walk(cfg, objrefine.steered())}
    assert objrefine.model_refines([flaw], form_flaws=frozenset([flaw]), walks=("steered",), only=changed) == []


@pytest.mark.parametrize("mutant", [m for m in OBJECT_MUTANTS if m.scenario in ("purge-early", "implicit-expiry")],
                         ids=lambda m: m.name)
def test_an_object_mutant_of_the_model_does_not_refine_the_form(mutant):
    with applied(mutant):
        problems = objrefine.model_refines(first=True, walks=("steered",))
    assert problems and f" {FLAW_TRANSITION[mutant.scenario]}: the model's step" in problems[0]


def _fixed(props=OBJECT_PROPS):
    return [PropertyResult(p, "proved", "z3-induction", detail="proved for entra: x", scope="entra") for p in props]


def _replication(scope="any size"):
    return [PropertyResult(p, "proved", "z3-parametric", scope=scope) for p in objengine.ASSUMED]


class _Req:
    def __init__(self, flaws=()):
        from dirproof.model import make_config
        self.config = make_config("entra", flaws=list(flaws))


def test_the_object_properties_are_upgraded_to_any_size():
    out = objengine.any_size(_Req(), _fixed(), _replication())
    for r in out:
        assert (r.engine, r.scope) == ("z3-parametric", "any size")
        assert r.detail.startswith("proved (any size): any number of objects, snapshots and days")
        assert r.detail.endswith("cross-check: proved for entra: x")


def test_without_the_replication_assumption_for_any_size_the_verdict_stays_fixed_scope():
    [r] = objengine.any_size(_Req(), _fixed(["no-early-purge"]), _replication(scope="entra"))
    assert r.scope == "entra" and "not proved for any size: the composition needs" in r.detail


def test_under_an_object_flaw_the_verdict_stays_fixed_scope_and_names_the_transition():
    [r] = objengine.any_size(_Req(["restore-defaults"]), _fixed(["no-early-purge"]), _replication())
    assert r.scope == "entra"
    assert "not proved for any size: invariant restore-clear is not preserved by transition restore" in r.detail


def test_the_command_proves_and_fails_for_the_object_layer():
    runner = CliRunner()
    res = runner.invoke(app, ["prove-any", "--objects", "--lint"])
    assert res.exit_code == 0 and "no cycle; sorts in order: " in res.output
    res = runner.invoke(app, ["prove-any", "--objects", "--flaw", "implicit-expiry", "--quiet", "--no-minimize"])
    assert res.exit_code == 1
    assert "invariant unretained-clear is not preserved by transition expire" in res.output
    res = runner.invoke(app, ["prove-any", "--objects", "--invariant", "nope"])
    assert res.exit_code == 2 and "no invariant nope" in res.output


def test_every_fixed_scope_object_invariant_has_its_parametric_statement():
    from dirproof.parametric.objinvariants import EXPLAIN, invariants
    from dirproof.properties.object_invariants import OBJECT_INVARIANTS
    assert set(OBJECT_INVARIANTS) <= {group for group, _ in EXPLAIN.values()}
    assert set(EXPLAIN) == set(invariants(OVocab("")))
