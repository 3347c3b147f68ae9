"""The parametric proof (dirproof/parametric): proved on the safe design for
any size, failing under each replication flaw at the transition the flaw
changes, in EPR (and the lint catches a formula that is not), with readable
counterexamples to induction; the engine and the command."""

from __future__ import annotations

import subprocess
import sys

import pytest
import z3
from typer.testing import CliRunner

from dirproof.cli import app
from dirproof.engines import EngineRequest
from dirproof.engines import run as run_engine
from dirproof.model import make_config
from dirproof.parametric import epr, induction
from dirproof.parametric.protocol import OUTSIDE_THE_FORM, REPLICATION
from dirproof.parametric.vocab import EPOCH, INDEX, REPLICA, VALUE, Vocab, var
from scenarios import FLAW_STEP


@pytest.fixture(autouse=True)
def _fast(monkeypatch):
    """Failing obligations are found without shrinking them (one test shrinks)."""
    monkeypatch.setattr(induction, "MINIMIZE", False)
    monkeypatch.setattr(induction, "TIMEOUT_MS", 60_000)


def test_the_engine_proves_the_five_properties_for_any_size(tmp_path):
    results = run_engine("z3-param", EngineRequest(make_config("entra"), REPLICATION, out_dir=tmp_path))
    assert {r.property: r.status for r in results} == {p: "proved" for p in REPLICATION}
    for r in results:
        assert r.engine == "z3-parametric"
        assert r.detail.startswith("proved (any size): any number of replicas, regions >= 2, sessions, log "
                                   "entries and epochs, within the fault budget; assumes ")
        assert "every transition enabled in some state of the invariant" in r.detail


def test_a_transition_no_state_can_take_is_reported_as_possibly_vacuous(monkeypatch):
    from dirproof.parametric import protocol, refine
    from dirproof.parametric.frames import Step

    def never(pre, post, flaws):
        real = protocol.steps_orch.heal(pre, post, flaws)
        return Step("heal", real.section, real.params, z3.And(real.formula, z3.BoolVal(False)), real.modifies)
    monkeypatch.setitem(protocol.TRANSITIONS, "heal", never)
    live = refine.witnesses()
    assert live["heal"] == "unknown" and live["partition"] == "yes"
    # the one pass the check makes (refinement and witnesses together): the
    # model's heal is then no transition of the form, so no any-size claim
    monkeypatch.setattr(refine, "_steered", lambda: [])  # (straight to the script's heal)
    drift, live = refine.audit()
    assert "the model's step heal is not a transition heal" in drift[0] and live == {}


def test_the_checks_one_pass_leaves_a_transition_no_walk_takes_unwitnessed(monkeypatch):
    from dirproof.model import Heal, Partition
    from dirproof.parametric import refine
    monkeypatch.setattr(refine, "_steered", lambda: [])
    monkeypatch.setattr(refine, "_script", lambda: [Partition(0, 2)])
    drift, live = refine.audit()
    assert drift == [] and live["partition"] == "yes" and live["heal"] == "unknown"
    monkeypatch.setattr(refine, "_script", lambda: [Partition(0, 2), Heal(0, 2)])
    assert refine.audit()[1]["heal"] == "yes"


@pytest.mark.parametrize("flaw", sorted(set(FLAW_STEP) - OUTSIDE_THE_FORM))  # (the others: no claim, tests/test_sync_set_images.py)
def test_each_flaw_breaks_the_proof_at_the_transition_it_changes(flaw):
    assert FLAW_STEP[flaw] in induction.changed_by([flaw])
    rep = induction.prove([flaw], transitions=[FLAW_STEP[flaw]], first_failure=True)
    bad = rep.failures()
    assert bad and {o.transition for o in bad} == {FLAW_STEP[flaw]}
    assert bad[0].headline() == f"invariant {bad[0].invariant} is not preserved by transition {FLAW_STEP[flaw]}"
    assert "before:" in bad[0].cti and "after:" in bad[0].cti


def test_a_transition_no_flaw_changes_is_proved_under_that_flaw():
    assert "crash" not in induction.changed_by(["read-ignores-token"])
    assert induction.prove(["read-ignores-token"], transitions=["crash", "move_session"]).ok


def test_the_engine_proves_nothing_of_a_model_that_does_not_refine_the_form(tmp_path, monkeypatch):
    """Epoch fencing removed from the model's code, the form untouched: the
    form's proof (stubbed here as going through, as it does) says nothing
    of this model, so `--engine z3-param` gives no verdict and says why.
    Before: "proved (any size)" on the broken model. (The safe model: the
    test above, where the proof is upgraded.)"""
    from dirproof.parametric import engine
    from mutants import MUTANTS, applied
    monkeypatch.setattr(engine, "proof_of", lambda flaws: type("Ok", (), {"ok": True, "obligations": ()})())
    req = EngineRequest(make_config("entra"), REPLICATION, out_dir=tmp_path)
    with applied(next(m for m in MUTANTS if m.name == "epoch fencing")):
        assert run_engine("z3-param", req) == []
        why = engine.why_unjudged(req)
    assert set(why) == set(REPLICATION)
    assert "the model does what the parametric form does not allow" in why["no-acked-write-lost"]


def test_a_variant_of_a_knob_the_form_lacks_is_not_checked_and_says_why(tmp_path):
    toml = tmp_path / "memory.toml"
    toml.write_text('profile = "entra"\n[parameters]\nack_waits_for = "memory"\n')
    res = CliRunner().invoke(app, ["check", "--engine", "z3-param", "--config", str(toml),
                                   "--property", "no-acked-write-lost", "--out", str(tmp_path)])
    assert res.exit_code == 3, res.output  # before: "proved (any size)", exit 0
    assert "not checked: z3-param: the parametric form has the design's setting of" in res.output


def test_a_flawed_design_gets_no_parametric_verdict(tmp_path):
    req = EngineRequest(make_config("entra", flaws=["read-ignores-token"]), REPLICATION, out_dir=tmp_path)
    assert run_engine("z3-param", req) == []


def test_the_counterexample_to_induction_is_small_and_readable(monkeypatch):
    monkeypatch.setattr(induction, "MINIMIZE", True)
    rep = induction.prove(["ack-before-sync"], transitions=["acknowledge"], only=["acked-in-two-regions"])
    (o,) = rep.failures()
    text = o.cti
    assert "step acknowledge(a=" in text and "monitor latches set: bad_regions" in text
    assert "orders: epochs e0 < e1 (" in text  # one epoch is enough, and the shrinking finds it
    before, after = text.split("after:")
    assert before.count("(region ") <= 3 and "log [1:(e1,v1)]" in before  # a few replicas, one entry
    assert "acknowledged: [1:(e1,v1)]" in after


def test_every_obligation_is_in_epr_and_the_lint_catches_a_cycle():
    fs = induction.formulas(frozenset())
    edges = epr.lint(fs)
    assert ("replica", "index") in edges and ("index", "replica") not in edges
    V = Vocab("")
    i, e, v, r = var("i", INDEX), var("e", EPOCH), var("v", VALUE), var("r", REPLICA)
    survives = z3.ForAll([i, e, v], z3.Implies(V.acked(i, e, v), z3.Exists([r], V.log(r, i, e, v))))
    with pytest.raises(epr.NotEPR, match="quantifier-alternation cycle: .*replica"):
        epr.lint(fs + [survives])
    # under a negation the same formula is existential-universal: no edge
    epr.lint(fs + [z3.Not(survives)])


runner = CliRunner()


def test_command_errors_are_one_line():
    for args in (["--flaw", "nope"], ["--transition", "nope"], ["--invariant", "nope"]):
        res = runner.invoke(app, ["prove-any", *args])
        assert res.exit_code == 2, res.output
        assert res.output.strip().startswith("dirproof: error: no ") and "\n" not in res.output.strip()


def test_command_names_the_invariant_and_transition():
    res = runner.invoke(app, ["prove-any", "--flaw", "read-ignores-token", "--transition", "read", "--quiet",
                              "--no-minimize"])
    assert res.exit_code == 1
    assert "is not preserved by transition read" in res.output
    ok = runner.invoke(app, ["prove-any", "--transition", "heal", "--invariant", "log-matching"])
    assert ok.exit_code == 0 and "consecution log-matching / heal: proved" in ok.output


def test_module_entry_point_lints():
    res = subprocess.run([sys.executable, "-m", "dirproof.parametric", "--lint"], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0 and "no cycle; sorts in order:" in res.stdout


def test_the_docs_explain_every_invariant_and_transition():
    from pathlib import Path

    from dirproof.parametric.invariants import explanations
    text = (Path(__file__).resolve().parents[1] / "docs" / "parametric.md").read_text()
    missing = [n for n in [*explanations(), *induction.TRANSITIONS] if f"`{n}`" not in text]
    assert missing == []


def test_every_auxiliary_invariant_of_the_fixed_scope_proof_has_a_parametric_form():
    from dirproof.parametric.invariants import PYTHON, explanations
    from dirproof.properties.invariants import INVARIANTS
    assert set(PYTHON) == set(INVARIANTS)
    names = [n for ns in PYTHON.values() for n in ns]
    assert len(names) == len(set(names)) and set(names) <= set(explanations())
