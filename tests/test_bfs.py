"""The breadth-first engine (dirproof/bfs): verdicts, counterexample files,
bounds, the command line, interruption."""

import importlib
import json

import attrs
import multiprocessing

import pytest
from typer.testing import CliRunner

from dirproof.bfs import Bounds, search
from dirproof.bfs.bounds import parse
from dirproof.bfs.engine import coverage, run
from dirproof.bfs.key import key
from dirproof.cli import app
from dirproof.counterexample import load
from dirproof.engines import EngineRequest
from dirproof.engines import run as run_engine
from dirproof.model import Read, initial_state, make_config, step
from dirproof.properties import PROPERTIES
from dirproof.properties.monitors import watch
from dirproof.model import Create, MoveSession, PermanentDelete, Rejoin, ReplicateToPassive, ReplicateToSecondary, SoftDelete
from scenarios import A1, A2, B1, SYNC, w

runner = CliRunner()
bfs_search = importlib.import_module("dirproof.bfs.search")  # the package names its function `search` too
TINY = Bounds(writes=1, epochs=2, faults=1, days=0)  # finite: the search exhausts it


def replays(path, prop):
    """The file's steps break `prop` on the model at their last step."""
    cx = load(path)
    state = initial_state(cx.config)
    for a in cx.steps:
        state = step(state, a)
    return cx.property == prop and PROPERTIES[prop].judge(state, watch(state)) is not None


def test_an_exhausted_search_says_held_exhaustive_with_its_bounds(tmp_path):
    req = EngineRequest(make_config("small"), tuple(PROPERTIES), out_dir=tmp_path, seconds=60)
    res = run(req, bounds=TINY)
    assert {r.status for r in res} == {"held"}
    for r in res:
        assert r.detail.startswith("exhaustive: ") and "writes <= 1, epochs <= 2, faults <= 1, days <= 0" in r.detail
        assert "weaker than a proof" in r.detail and r.examples > 100


def test_the_same_exhaustive_scope_catches_a_seeded_flaw(tmp_path):
    # the check above can fail: on the very same scope a flaw breaks its property
    req = EngineRequest(make_config("small", flaws=["ack-before-sync"]), tuple(PROPERTIES), out_dir=tmp_path)
    res = {r.property: r for r in run(req, bounds=TINY)}
    r = res["no-acked-write-lost"]
    assert r.status == "violated" and r.steps == 2 and r.engine == "bfs"
    assert replays(r.counterexample, "no-acked-write-lost")
    assert "not exhaustive: a seeded flaw's property broke" in res["one-history"].detail


def test_the_engine_is_registered_and_honours_its_time_budget(tmp_path):
    req = EngineRequest(make_config("entra"), ("one-history",), out_dir=tmp_path, seconds=0.5)
    (r,) = run_engine("bfs", req)
    assert r.status == "held" and "not exhaustive: the time budget ran out" in r.detail


def test_a_depth_bound_is_reported_as_such(tmp_path):
    req = EngineRequest(make_config("entra"), ("one-history",), out_dir=tmp_path, depth=2)
    (r,) = run(req)
    assert r.status == "held" and r.detail.startswith("every state within 2 steps")
    assert "the depth bound was reached" in r.detail


def test_bounds_cut_paths_and_parse():
    assert parse("writes=2, depth=none") == Bounds(writes=2, depth=None)
    with pytest.raises(ValueError, match="unknown bound 'bogus'"):
        parse("bogus=1")
    with pytest.raises(ValueError, match="whole number"):
        parse("writes=-1")
    s = initial_state(make_config("entra"))
    assert Bounds(writes=1).admits(s, 1, 0) and not Bounds(writes=1).admits(s, 2, 0)
    assert not Bounds(faults=0).admits(s, 0, 1)
    # no writes allowed: nothing is ever acknowledged, so a flaw of the write path cannot break
    cfg = make_config("entra", flaws=["ack-before-sync"])
    out = search(cfg, Bounds(writes=0, epochs=2, faults=1, days=0, depth=3), tuple(PROPERTIES))
    assert out.found == {}


def without_last_event(state):
    return attrs.evolve(state, history=state.history[:-1])


def test_the_key_keeps_reads_of_tombstones_and_only_those():
    # no-resurrection judges every read that returned a permanent delete or
    # a purge: forgetting such a read must change the key; other reads are
    # read by no property once the ghost has judged them
    cfg = make_config("entra")
    s = step(initial_state(cfg), Read(0))
    assert key(s, watch(s)) == key(without_last_event(s), watch(s))
    for a in (w(Create(0)), w(SoftDelete(0)), w(PermanentDelete(0)), *SYNC, ReplicateToSecondary(A2)):
        s = step(s, a)
    t = step(s, Read(0))
    assert key(t, watch(t)) != key(without_last_event(t), watch(t))


def test_interrupt_propagates_and_leaves_no_worker():
    def stop(done, total, label):
        if done >= 2:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        search(make_config("entra"), Bounds(writes=1, faults=1, epochs=2), tuple(PROPERTIES), progress=stop, workers=2)
    assert multiprocessing.active_children() == []


def test_a_level_in_progress_is_reported_and_an_interrupt_there_stops_it(monkeypatch):
    # an exhaustive run's deep levels take minutes: the search reports within
    # a level, and a KeyboardInterrupt raised at such a report ends it there
    monkeypatch.setattr(bfs_search, "REPORT_SECONDS", 0.0)
    labels: list[str] = []

    def note(done, total, label):
        labels.append(label)
        if "of depth 2 expanded" in label:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        search(make_config("entra"), Bounds(writes=1, faults=1, epochs=2), tuple(PROPERTIES), progress=note)
    inside = [lb for lb in labels if "expanded" in lb]
    assert inside and inside[-1].startswith("depth 3: ") and "of depth 2 expanded" in inside[-1]
    assert not any(lb.startswith("depth 3: ") and "expanded" not in lb for lb in labels)  # level 3 never done


@pytest.mark.parametrize("option, value, words", [("--sessions", "9", "not in the range 0..4"),
                                                  ("--objects", "-1", "not in the range 0..4"),
                                                  ("--sessions", "5", "not in the range 0..4"),
                                                  ("--workers", "1000", "less than or equal to 32")])
def test_cli_refuses_sizes_beyond_the_documented_limits(option, value, words):
    r = runner.invoke(app, ["bfs", option, value, "--depth", "1"])
    assert r.exit_code == 2 and words in r.output


def test_the_memory_limit_stops_the_search_and_says_so(tmp_path):
    # a search that would outgrow the machine stops, with verdicts for the
    # levels it completed, instead of being killed by the system
    out = search(make_config("entra"), TINY, tuple(PROPERTIES), max_memory=1)
    assert out.stopped == "memory" and not out.exhausted and out.depth == 0
    assert "memory limit was reached" in coverage(out)
    whole = bfs_search.memory_limit()
    assert whole is not None and bfs_search.peak_memory() < whole  # the default leaves this test alone
    r = runner.invoke(app, ["bfs", "--max-memory", "0.01", "--json", "--out", str(tmp_path)])
    data = json.loads(r.stdout)
    assert r.exit_code == 0 and data["stopped"] == "memory" and not data["exhausted"]
    assert all(x["status"] == "held" and "memory limit" in x["detail"] for x in data["results"])


def test_workers_find_the_same_states_and_lengths():
    cfg = make_config("entra", flaws=["ship-unacked"])
    b = Bounds(writes=1, epochs=2, faults=0, days=0, depth=3)
    one = search(cfg, b, tuple(PROPERTIES))
    two = search(cfg, b, tuple(PROPERTIES), workers=2)
    assert set(one.store.used) == set(two.store.used)
    assert {p: f.depth for p, f in one.found.items()} == {p: f.depth for p, f in two.found.items()} != {}


def test_cli_prints_what_it_covered_and_refuses_bad_bounds(tmp_path):
    # two sessions: with one, small has only 38 states since a move keeps the
    # logical session (token_home "client", issue 14)
    r = runner.invoke(app, ["bfs", "--profile", "small", "--sessions", "2", "--writes", "1", "--epochs", "2",
                            "--faults", "0", "--json", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["exhausted"] and data["states"] > 100 and data["bounds"].startswith("writes <= 1")
    # the states each level added: the initial one, then every state first
    # stored at that depth; an exhausted search ends with an empty level
    assert data["levels"][0] == 1 and sum(data["levels"]) == data["states"] and data["levels"][-1] == 0
    assert len(data["levels"]) == data["depth"] + 1
    r = runner.invoke(app, ["bfs", "--flaw", "ack-before-sync", "--out", str(tmp_path)])
    assert r.exit_code == 1 and "violated" in r.stdout
    for args, words in ((["--unbounded", "bogus"], "unknown bound 'bogus'"),
                        (["--unbounded", "days", "--unbounded", "depth"], "would not end"),
                        (["--flaw", "bogus"], "unknown flaw")):
        r = runner.invoke(app, ["bfs", *args])
        assert r.exit_code == 2 and r.stderr.startswith("dirproof: error: ") and words in r.stderr
        assert "Traceback" not in r.output


def test_beyond_the_fault_budget_a_violation_is_assumption_broken(tmp_path):
    # two disks lost (AP's and PP's) after an acknowledged write: only with --over-budget
    req = EngineRequest(make_config("small"), ("no-acked-write-lost",), out_dir=tmp_path, over_budget=True)
    (r,) = run(req, bounds=Bounds(writes=1, epochs=2, faults=2, days=0))
    assert r.status == "assumption-broken" and r.steps == 5
    assert load(r.counterexample).status == "assumption-broken"
    assert replays(r.counterexample, "no-acked-write-lost")


def test_logical_numbers_are_renumbered_but_kept_apart():
    # moving away and back makes new logical numbers, not new states (with
    # the token cached per datacenter a move starts a new logical session)...
    cfg = make_config("entra", token_home="datacenter")
    s = initial_state(cfg)
    moved = step(step(s, MoveSession(0, A1)), MoveSession(0, A2))
    assert moved.sessions[0].logical == 2
    assert key(step(s, Read(0)), watch(step(s, Read(0)))) == key(step(moved, Read(0)), watch(step(moved, Read(0))))
    # ...but two older numbers stay distinct (entries that differ only in them differ)
    t = step(s, w(Create(0)))
    t = step(step(t, MoveSession(0, B1)), w(Create(1)))
    t = step(t, MoveSession(0, A2))
    logical = [e[3] for e in key(t, watch(t))[1][0][0]]  # the logical numbers in A1's log
    assert [e.logical for e in t.replicas[0].log] == [0, 1] and t.sessions[0].logical == 2
    assert logical == [1, 2]


@pytest.mark.parametrize("flaws", [("no-fencing",)])
def test_steps_the_bounds_would_cut_are_not_tried_and_nothing_else_changes(flaws, monkeypatch):
    """A write, a fault or a failover beyond its bound is not even tried
    (search.Problem._kinds_left): the same states are stored, the same
    violations found at the same depths. The check can fail: counting a
    step that does not always start an epoch as one (rejoin, shipping to the
    PP) loses states."""
    import importlib
    bfs_search = importlib.import_module("dirproof.bfs.search")
    cfg = make_config("entra", flaws=list(flaws), objects=1, sessions=1)
    b = Bounds(writes=1, epochs=2, faults=1, days=0, depth=4)
    def run(prune):
        out = search(cfg, b, tuple(PROPERTIES), prune=prune)
        return out.states, {p: f.depth for p, f in out.found.items()}
    assert run(True) == run(False)
    monkeypatch.setattr(bfs_search, "EPOCH_STEPS", bfs_search.EPOCH_STEPS + (Rejoin, ReplicateToPassive))
    assert run(True)[0] < run(False)[0]
