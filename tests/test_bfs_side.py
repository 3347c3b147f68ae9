"""The breadth-first engine on the machines beside the partition (issue 18):
the identity layer (model/identity/) and the cells layer (model/cells/),
dirproof/bfs/side.py. Every flaw of theirs gives, through the command a
user runs, a counterexample of Z3's shortest length that replays; the small
instance holds every identity flaw's scenario; the safe design's verdict
says how far the search went; a machine with a seeded flaw is searched
first."""

import json

import pytest
from typer.testing import CliRunner

from dirproof.bfs import side
from dirproof.cli import app
from dirproof.counterexample import load
from dirproof.engines import EngineRequest
from dirproof.identity import bfs as id_bfs
from dirproof.model import FLAWS, make_config
from dirproof.properties import layer_of
from scenarios import CELL_SCENARIOS, CELL_Z3_SHORTEST, ID_SCENARIOS, ID_Z3_SHORTEST

runner = CliRunner()
SIDE_FLAWS = sorted(f for f, fl in FLAWS.items() if fl.area in ("identity", "cells"))
SHORTEST = {**ID_Z3_SHORTEST, **CELL_Z3_SHORTEST}


def test_every_side_flaw_has_a_shortest_length_to_meet():
    assert set(SHORTEST) == set(SIDE_FLAWS)


@pytest.mark.parametrize("flaw", SIDE_FLAWS)
def test_each_side_flaw_gives_z3s_shortest_length_and_replays(flaw, tmp_path):
    prop = {**ID_SCENARIOS, **CELL_SCENARIOS}[flaw][0]
    res = runner.invoke(app, ["check", "--engine", "bfs", "--flaw", flaw, "--json", "--out", str(tmp_path)])
    assert res.exit_code == 1, res.output
    r = {x["property"]: x for x in json.loads(res.stdout)["results"]}[prop]
    assert r["status"] == "violated" and r["engine"] == "bfs" and r["steps"] == SHORTEST[flaw]
    assert r["length"].startswith("shortest within the breadth-first search's bounds")
    assert load(r["counterexample"]).property == prop and len(load(r["counterexample"]).steps) == SHORTEST[flaw]
    again = runner.invoke(app, ["replay", r["counterexample"]])
    assert again.exit_code == 1 and f"REPRODUCED: {prop}" in again.stdout, again.output


def test_every_identity_flaw_s_scenario_lies_in_the_small_instance():
    for flaw, (_, steps, _) in ID_SCENARIOS.items():
        assert all(id_bfs._in_small(a) for a in steps), flaw


def test_the_small_instance_is_searched_first_and_named_in_the_verdict(tmp_path):
    req = EngineRequest(make_config("entra", flaws=["evaluator-ignores-revocation"]), ("revocation-bounded",),
                        out_dir=tmp_path)
    [r] = id_bfs.run(req)
    assert r.status == "violated" and r.steps == 6 and "small instance: token slot 0, principal 0" in r.detail


def test_the_safe_design_holds_within_a_depth_and_says_it_is_not_exhaustive(tmp_path):
    props = ("revocation-bounded", "backup-fails-closed")
    req = EngineRequest(make_config("entra"), props, out_dir=tmp_path, depth=3)
    res = id_bfs.run(req)
    assert [r.status for r in res] == ["held", "held"]
    assert all("every state within 3 steps" in r.detail and "not exhaustive: the depth bound" in r.detail
               for r in res)
    assert not list(tmp_path.iterdir())


def test_a_path_that_does_not_replay_is_never_reported(tmp_path, monkeypatch):
    """The store and the machine must agree: a counterexample whose replay
    does not break the property (here: the path loses its last step) is an
    error, not a verdict."""
    real = side.path_to
    monkeypatch.setattr(side, "path_to", lambda out, state: real(out, state)[:-1])
    req = EngineRequest(make_config("entra", flaws=["key-scope-unchecked"]), ("no-out-of-scope-key-accepted",),
                        out_dir=tmp_path)
    with pytest.raises(AssertionError, match="does not break it on replay"):
        id_bfs.run(req)


def test_the_machine_with_the_seeded_flaw_is_searched_first(tmp_path):
    """A partition flaw: the identity and cells searches (a twentieth of the
    budget each) do not run before the partition's counterexample, and say why."""
    res = runner.invoke(app, ["check", "--engine", "bfs", "--flaw", "ack-before-sync", "--json",
                              "--out", str(tmp_path)])
    assert res.exit_code == 1, res.output
    out = json.loads(res.stdout)
    assert all(layer_of(r["property"]) == "partition" for r in out["results"])
    side_props = {p for p in out["not_checked"] if layer_of(p) != "partition"}
    assert side_props == {p for p in out["properties"] if layer_of(p) != "partition"}
    assert all("stopped at the first violation" in out["not_checked"][p] for p in side_props)


def test_a_run_deadline_keeps_what_the_search_covered(tmp_path):
    """With `--seconds`, the search ends a little before the run's deadline
    and reports what it covered (held, every state within D steps), machine
    by machine. Before: every property 'out of time (--seconds) during bfs'.
    The safe design's partition is searched in smaller scopes first; the
    one the budget cuts gives the verdicts, with its scope (before: the
    scope asked for, searched for no time, 'every state within 0 steps')."""
    res = runner.invoke(app, ["check", "--engine", "bfs", "--seconds", "2", "--json", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert not out["not_checked"]
    partition = [r for r in out["results"] if layer_of(r["property"]) == "partition"]
    assert partition and all(r["status"] == "held" and r["steps"] >= 1 for r in partition)
    assert all("a smaller scope: 1 session" in r["detail"] and "not exhaustive: the time budget ran out" in r["detail"]
               for r in partition)
