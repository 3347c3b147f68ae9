"""Replaying a counterexample on another design (`dirproof replay FILE
--no-flaws | --flaw F | --profile P | --config TOML | --design D`): refuted
at the step whose guard refuses it (exit 0), or reproduced (exit 1); the
verdict comes from the model's own guards (a mutant without the guard
reproduces), and a trace that does not fit the design is bad input."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import attrs
import pytest
from typer.testing import CliRunner

import dirproof.cli  # noqa: F401  (registers the commands)
from dirproof import counterexample as cxf
from dirproof.app import app
from dirproof.model import Acknowledge, Config, make_config
from dirproof.replay import (DesignChoice, DesignError, TraceDoesNotFit, choose_design, replay,
                             report_lines, with_flaws)

CORPUS = Path(__file__).parent / "counterexamples"
ACK = CORPUS / "entra--ack-before-sync--no-acked-write-lost.json"
ACK_GUARD = "nothing to acknowledge: the PP holds no entry past LSN 0"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["replay", *map(str, args)])


# ------------------------------------------------------------------ the verdicts

def test_the_fix_refutes_ack_before_sync_at_the_acknowledge_step():
    res = run(ACK, "--no-flaws")
    assert res.exit_code == 0, res.output
    assert "  replayed on: profile entra (A: A1 A2; B: B1 B2), flaws: none (the safe design)" in res.stdout
    assert ">>step 2  acknowledge: A1 acknowledges what its PP holds" in res.stdout
    assert f"REFUSED by the model: {ACK_GUARD}" in res.stdout
    assert res.stdout.rstrip().splitlines()[-1] == f"REFUTED at step 2: {ACK_GUARD}"
    doc = json.loads(run(ACK, "--no-flaws", "--json").stdout)
    assert doc["exit_code"] == 0 and doc["design"]["flaws"] == [] and doc["config"]["flaws"] == ["ack-before-sync"]
    assert doc["outcome"]["status"] == "refuted" and doc["outcome"]["step"] == 2
    assert doc["outcome"]["refused"] == {"step": 2, "action": {"step": "acknowledge", "replica": 0},
                                         "text": "acknowledge: A1 acknowledges what its PP holds",
                                         "reason": ACK_GUARD}
    assert len(doc["steps"]) == 1  # the refused step did not run


def test_the_refutation_comes_from_the_models_guard(monkeypatch):
    """With the guard removed from the model (every design acknowledges
    before the PP has the entry), the same replay reproduces: exit 1."""
    real = Config.has
    monkeypatch.setattr(Config, "has", lambda self, f: f == "ack-before-sync" or real(self, f))
    res = run(ACK, "--no-flaws")
    assert res.exit_code == 1, res.output
    assert "REPRODUCED: no-acked-write-lost breaks at step 2" in res.stdout
    assert "REFUTED" not in res.stdout


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.json")), ids=lambda p: p.stem.split("--")[1])
def test_the_safe_design_refutes_every_seeded_flaws_counterexample(path):
    res = run(path, "--no-flaws")
    assert res.exit_code == 0, res.output
    assert "\nREFUTED" in res.stdout and "REPRODUCED" not in res.stdout


def test_the_same_design_named_explicitly_reproduces():
    res = run(ACK, "--design", "entra+ack-before-sync")
    assert res.exit_code == 1, res.output
    assert "REPRODUCED: no-acked-write-lost breaks at step 2" in res.stdout
    assert run(ACK, "--flaw", "ack-before-sync").exit_code == 1
    assert run(ACK, "--profile", "small").exit_code == 1  # the recorded flaw on a smaller topology


def test_every_step_running_without_a_break_is_a_refutation():
    path = CORPUS / "entra--read-ignores-token--read-your-writes.json"
    res = run(path, "--no-flaws")
    assert res.exit_code == 0
    assert res.stdout.rstrip().splitlines()[-1] == \
        "REFUTED: every step ran and read-your-writes holds after every step (no property broke)"
    outcome = json.loads(run(path, "--no-flaws", "--json").stdout)["outcome"]
    assert (outcome["status"], outcome["step"], outcome["refused"]) == ("refuted", None, None)


def test_another_property_breaking_on_the_design_is_not_a_refutation():
    cx = cxf.load(CORPUS / "entra--ship-unacked--no-read-of-lost-write.json")
    cx = attrs.evolve(cx, property="one-history")
    o = replay(cx, with_flaws(cx.config, ["ship-unacked"])).outcome
    assert (o.status, o.reproduced, o.property, o.exit_code) == ("violated", False, "no-read-of-lost-write", 1)


def test_a_step_refused_after_the_break_still_reproduces():
    cx = cxf.load(ACK)
    cx = attrs.evolve(cx, steps=cx.steps + (Acknowledge(1),))
    rp = replay(cx, cx.config)
    assert (rp.outcome.status, rp.outcome.step, rp.outcome.exit_code) == ("violated", 2, 1)
    assert any("refuses step 3" in n and "A2 is not an active primary" in n for n in rp.outcome.notes)
    assert "REFUSED by the model: A2 is not an active primary" in "\n".join(report_lines(rp))


def test_a_trace_that_does_not_fit_the_design_is_bad_input(monkeypatch):
    path = CORPUS / "entra--no-fencing--no-acked-write-lost.json"  # replicas A1..B2 (0..3)
    res = run(path, "--profile", "small")  # two replicas
    assert res.exit_code == 2, res.output
    assert res.stderr.count("\n") == 1
    assert "does not fit the design to replay on: step 2 (emergency_failover: promote B1, new PP A2) " \
           "names replica 2" in res.stderr
    # without the check, a missing replica would be misreported as a refutation by a guard
    monkeypatch.setattr("dirproof.replay.run.check_fit", lambda cx, cfg: None)
    res = run(path, "--profile", "small")
    assert res.exit_code == 0 and "REFUTED at step 2: no replica 2" in res.stdout


def test_objects_and_sessions_the_design_lacks_do_not_fit():
    cx = cxf.load(ACK)
    with pytest.raises(TraceDoesNotFit, match="names object 0"):
        replay(cx, make_config("entra", objects=0))
    with pytest.raises(TraceDoesNotFit, match="names session 0"):
        replay(cx, make_config("entra", sessions=0))


def test_picture_and_itf_of_a_refuted_replay(tmp_path):
    from dirproof.picture import C_BREAK, C_REFUSED, ROW, TOP
    out, itf = tmp_path / "t.svg", tmp_path / "t.itf.json"
    assert run(ACK, "--no-flaws", "--svg", out, "--itf", itf).exit_code == 0
    root = ET.fromstring(out.read_text().encode())
    fills = [(e.get("fill"), float(e.get("y"))) for e in root.iter() if e.tag.endswith("rect")]
    assert (C_REFUSED, TOP + 2 * ROW) in fills and not [f for f, _ in fills if f == C_BREAK]
    texts = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert f"REFUSED: {ACK_GUARD}" in texts and f"REFUTED at step 2: {ACK_GUARD}" in texts
    meta = json.loads(itf.read_text())["#meta"]
    assert (meta["status"], meta["violated_at"], meta["refused_at"]) == ("refuted", None, 2)
    assert meta["config"]["flaws"] == [] and meta["recorded_config"]["flaws"] == ["ack-before-sync"]


# ------------------------------------------------------------------ choosing the design

RECORDED = make_config("entra", flaws=["ack-before-sync"], sessions=1)


@pytest.mark.parametrize("choice, profile, flaws, sessions", [
    (DesignChoice(), None, None, None),
    (DesignChoice(no_flaws=True), "entra", (), 1),
    (DesignChoice(flaws=("no-fencing",)), "entra", ("no-fencing",), 1),
    (DesignChoice(profile="wide"), "wide", ("ack-before-sync",), 3),
    (DesignChoice(profile="wide", no_flaws=True), "wide", (), 3),
    (DesignChoice(design="small+no-fencing+ship-unacked"), "small", ("no-fencing", "ship-unacked"), 1),
    (DesignChoice(design="entra"), "entra", (), 2),
])
def test_choose_design(choice, profile, flaws, sessions):
    cfg = choose_design(RECORDED, choice)
    if profile is None:
        assert cfg is None
    else:
        assert (cfg.profile, cfg.flaws, cfg.sessions) == (profile, flaws, sessions)


def test_choose_design_from_a_toml_file(tmp_path):
    toml = tmp_path / "fix.toml"
    toml.write_text('profile = "entra"\nflaws = ["no-fencing"]\n[parameters]\nsessions = 1\n')
    cfg = choose_design(RECORDED, DesignChoice(config=toml))
    assert (cfg.profile, cfg.flaws, cfg.sessions) == ("fix", ("no-fencing",), 1)
    assert choose_design(RECORDED, DesignChoice(config=toml, no_flaws=True)).flaws == ()
    assert choose_design(RECORDED, DesignChoice(design=str(toml))).flaws == ("no-fencing",)


@pytest.mark.parametrize("choice, words", [
    (DesignChoice(flaws=("no-fencing",), no_flaws=True), "contradict"),
    (DesignChoice(profile="wide", config=Path("x.toml")), "both name a topology"),
    (DesignChoice(design="entra", no_flaws=True), "give it alone"),
    (DesignChoice(design=" "), "empty"),
])
def test_contradicting_choices_are_refused(choice, words):
    with pytest.raises(DesignError, match=words):
        choose_design(RECORDED, choice)
