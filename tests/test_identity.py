"""The identity layer (model/identity/, design.md §7): its steps, its
properties and flaws, its exploration inside `dirproof check`, and replay
of its counterexamples, as a user runs them."""

import json

import pytest
from typer.testing import CliRunner

from dirproof.cli import app
from dirproof.counterexample import load
from dirproof.identity.explore import SITUATIONS, explore
from dirproof.model import FLAWS, ConfigError, make_config
from dirproof.model.identity import (BACKUP_MINUTES, ClockTick, DeliverRevocation, IdState, IssueToken, PrimaryAuthFails,
                                     RevokePrincipal, ValidateToken, id_step, initial_id_state, tick_minutes)
from dirproof.properties import IDENTITY_PROPERTIES
from dirproof.replay import replay
from scenarios import ID_SCENARIOS

runner = CliRunner()
IDENTITY_FLAWS = [f for f, fl in FLAWS.items() if fl.area == "identity"]


def go(state, *actions):
    for a in actions:
        state = id_step(state, a)
        assert isinstance(state, IdState), f"{a} rejected: {state.reason}"
    return state


def test_every_identity_property_is_caught_by_some_identity_flaw():
    caught = {p for f in IDENTITY_FLAWS for p in FLAWS[f].caught_by}
    assert caught == set(IDENTITY_PROPERTIES)
    assert set(ID_SCENARIOS) == set(IDENTITY_FLAWS)


def test_the_safe_design_holds_and_reaches_every_situation_in_150_walks():
    ex = explore(make_config(), tuple(IDENTITY_PROPERTIES), 150, seed=1)
    assert ex.found == {} and ex.reached == set(SITUATIONS)


# three flaws, one per mechanism (tests/test_flaw_adequacy.py runs every flaw through the engine)
@pytest.mark.parametrize("flaw", ["key-scope-unchecked", "evaluator-ignores-revocation", "backup-misses-revocations"])
def test_check_exits_1_naming_the_property_and_replay_reproduces_and_no_flaws_refutes(flaw, tmp_path):
    res = runner.invoke(app, ["check", "--engine", "hypothesis", "--seed", "1", "--flaw", flaw, "--json",
                              "--out", str(tmp_path)])
    assert res.exit_code == 1, res.output
    violated = {r["property"]: r for r in json.loads(res.stdout)["results"] if r["status"] == "violated"}
    prop = next(p for p in FLAWS[flaw].caught_by if p in violated)
    path = violated[prop]["counterexample"]
    assert load(path).property == prop
    again = runner.invoke(app, ["replay", path])
    assert again.exit_code == 1 and f"REPRODUCED: {prop}" in again.stdout, again.output
    fixed = runner.invoke(app, ["replay", path, "--no-flaws"])
    assert fixed.exit_code == 0 and "REFUTED" in fixed.stdout, fixed.output


def test_properties_lists_the_identity_properties_with_their_seed_fact():
    out = runner.invoke(app, ["properties"]).stdout
    for pid in IDENTITY_PROPERTIES:
        assert f"\n{pid}\n" in out
    assert "seed fact (003): Storm-0558" in out


def test_the_clock_jumps_to_the_interesting_instants_so_three_days_are_one_step():
    s = go(initial_id_state(make_config()), IssueToken(0, 0, 0, False), PrimaryAuthFails())
    assert {60, BACKUP_MINUTES - 1, BACKUP_MINUTES} <= set(tick_minutes(s))
    assert isinstance(id_step(s, ClockTick(0)), IdState) is False


def test_time_cannot_pass_a_revocation_that_has_not_reached_every_evaluator():
    s = go(initial_id_state(make_config()), IssueToken(0, 0, 0, True), RevokePrincipal(0), ClockTick(14))
    refused = id_step(s, ClockTick(1))
    assert not isinstance(refused, IdState) and "must reach the resource first" in refused.reason


def test_the_revocation_bound_is_a_knob_read_by_the_property():
    flaw, (prop, steps, _) = "evaluator-ignores-revocation", ID_SCENARIOS["evaluator-ignores-revocation"]
    # Δ = 15: acceptance at minute 15 of a revocation at 0 breaks it; Δ = 30: it is within the bound
    assert IDENTITY_PROPERTIES[prop].check(go(initial_id_state(make_config(flaws=[flaw])), *steps))
    late = go(initial_id_state(make_config(flaws=[flaw], revocation_lag_minutes=30)), *steps)
    assert IDENTITY_PROPERTIES[prop].check(late) is None
    with pytest.raises(ConfigError, match="revocation_lag_minutes must be at least 1"):
        make_config(revocation_lag_minutes=0)


def test_a_cae_token_is_refused_once_the_resource_has_the_revocation():
    s = go(initial_id_state(make_config()), IssueToken(0, 0, 0, True), RevokePrincipal(0))
    assert isinstance(id_step(s, ValidateToken(0)), IdState)  # within Δ, not yet delivered: accepted
    s = go(s, DeliverRevocation(0, 0))
    assert "revocation (CAE)" in id_step(s, ValidateToken(0)).reason


def test_replay_refuses_minimize_for_an_identity_counterexample_in_one_line():
    res = runner.invoke(app, ["replay", "tests/counterexamples/entra--retire-live-key--live-tokens-verifiable.json",
                              "--minimize"])
    assert res.exit_code == 2 and res.stderr.count("\n") == 1
    assert "not available for a counterexample of the identity layer" in res.stderr


@pytest.mark.parametrize("name, lanes", [
    ("entra--retire-live-key--live-tokens-verifiable", ("K-old", "slot 0", "primary auth", "retired")),
    ("entra--shared-gateway--cell-isolation", ("cell 1", "gateway 0", "serves cells 0,1,2", "fault in cell 0"))])
def test_replay_draws_the_picture_of_a_side_machine_s_counterexample(name, lanes, tmp_path):
    """The identity and cells layers have pictures of their own (dirproof/picture/side.py, views.py)."""
    out = tmp_path / "x.svg"
    res = runner.invoke(app, ["replay", f"tests/counterexamples/{name}.json", "--svg", str(out),
                              "--html", str(tmp_path / "x.html")])
    assert res.exit_code == 1, res.stderr  # reproduced
    text = out.read_text()
    assert text.startswith("<?xml") and "BROKEN: " in text and "REPRODUCED" in text
    assert all(lane in text for lane in lanes)
    assert "<svg" in (tmp_path / "x.html").read_text()
