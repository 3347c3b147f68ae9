"""`dirproof check` as a user runs it: verdicts, JSON, exit codes, errors."""

import json

import pytest
from typer.testing import CliRunner

from dirproof.cli import app
from dirproof.counterexample import load
from dirproof.explore import REACHABILITY, STEP_KINDS
from dirproof.replay import replay

runner = CliRunner()


def check(*args):
    res = runner.invoke(app, ["check", "--engine", "hypothesis", "--seed", "1", *args])
    return res


def results(res):
    return {r["property"]: r for r in json.loads(res.stdout)["results"]}


def test_a_flaw_exits_1_names_its_property_and_saves_a_replayable_file(tmp_path):
    res = check("--flaw", "ack-before-sync", "--json", "--out", str(tmp_path))
    assert res.exit_code == 1, res.output
    out = json.loads(res.stdout)
    assert out["profile"] == "entra" and out["flaws"] == ["ack-before-sync"]
    r = results(res)["no-acked-write-lost"]
    assert r["status"] == "violated" and r["engine"] == "hypothesis" and r["steps"] >= 2
    cx = load(r["counterexample"])
    assert len(cx.steps) == r["steps"]
    rp = replay(cx)
    assert rp.outcome.reproduced and rp.outcome.property == "no-acked-write-lost"


def test_the_safe_design_exits_0_with_every_property_held_and_its_coverage(tmp_path):
    res = check("--examples", "300", "--json", "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    r = results(res)
    assert set(r) >= {"no-acked-write-lost", "one-history", "read-your-writes"}
    assert all(x["status"] == "held" and x["examples"] > 0 for x in r.values())
    assert not list(tmp_path.iterdir())
    cov = out["coverage"]
    assert cov["examples"] == 300 and cov["unreached"] == []
    from dirproof.model.next import FLAW_ONLY  # (steps only a seeded flaw enables never fire here)
    assert set(cov["step_counts"]) == set(STEP_KINDS)
    assert {k for k, n in cov["step_counts"].items() if not n} == set(FLAW_ONLY)
    assert sum(cov["step_counts"].values()) == cov["steps"]
    reach = {s["situation"] for s in cov["situations"] if s["reachability"] and s["count"]}
    assert reach == set(REACHABILITY)


def test_a_run_too_short_to_reach_its_situations_is_inconclusive_not_green(tmp_path):
    """Nothing breaks in 3 examples, but nothing deep happens either: exit 3,
    and the table names what was not reached."""
    res = check("--examples", "3", "--out", str(tmp_path))
    assert res.exit_code == 3, res.output
    assert "inconclusive" in res.stdout and "restore-on-last-day" in res.stdout
    assert "not reached" in res.stdout and "steps fired:" in res.stdout
    js = check("--examples", "3", "--json", "--out", str(tmp_path))
    assert js.exit_code == 3
    assert "restore-on-last-day" in json.loads(js.stdout)["coverage"]["unreached"]


def test_over_budget_is_reported_as_assumption_broken_not_violated(tmp_path):
    res = check("--over-budget", "--seconds", "60", "--json", "--out", str(tmp_path))
    assert res.exit_code == 1, res.output
    broken = {p: r for p, r in results(res).items() if r["status"] != "held"}
    assert broken, "going over the fault budget must not pass silently"
    assert all(r["status"] == "assumption-broken" for r in broken.values())
    assert all(load(r["counterexample"]).status == "assumption-broken" for r in broken.values())


def test_the_human_table_names_every_property(tmp_path):
    res = check("--flaw", "ack-before-sync", "--out", str(tmp_path))
    assert res.exit_code == 1
    assert "no-acked-write-lost" in res.stdout and "violated" in res.stdout
    assert "bounded-write-unavailability" in res.stdout


@pytest.mark.parametrize("args, words", [
    (["--flaw", "no-such-flaw"], "unknown flaw id(s): no-such-flaw"),
    (["--profile", "huge"], "unknown profile 'huge'"),
    (["--examples", "5", "--seconds", "5"], "not both"),
    (["--engine", "tlc"], "unknown engine 'tlc'"),
    (["--config", "no-such-file.toml"], "no such file"),
])
def test_bad_arguments_exit_2_with_one_line(args, words):
    res = check(*args)
    assert res.exit_code == 2
    assert words in res.stderr and res.stderr.count("\n") == 1 and "Traceback" not in res.output


def test_help_shows_the_defaults_the_engines_use():
    """One source (dirproof/defaults.py) for the engines and --help."""
    from dirproof import defaults as D
    from dirproof import hypothesis_engine, z3_engine
    assert hypothesis_engine.DEFAULT_EXAMPLES is D.DEFAULT_EXAMPLES
    assert z3_engine.DEFAULT_SECONDS is D.DEFAULT_SECONDS
    res = runner.invoke(app, ["check", "--help"])
    assert res.exit_code == 0
    for text in (f"default {D.DEFAULT_EXAMPLES}", f"default {D.DEFAULT_SECONDS:.0f}", f"default {D.DEFAULT_DEPTH}"):
        assert text in " ".join(res.stdout.split()), text


# --------------------------------------------------------------------------- the order of the engines, with stubs

import sys
import types

from dirproof.properties import PROPERTIES
from dirproof.results import PropertyResult

FIRST = next(iter(PROPERTIES))


def stub_engine(monkeypatch, name, verdicts, seen):
    """An engine `name` that records what it is asked and answers `verdicts`
    ({property: status}; others held), writing a file per violation."""
    def run(request):
        seen.append((name, request.properties, request.scope))
        out = []
        for p in request.properties:
            status = verdicts.get(p, "held")
            if status == "disagree":
                from dirproof.proofs.bmc import EncodingDisagreement
                raise EncodingDisagreement("the Z3 path does not replay: step 2 is rejected by the model")
            cx = None
            if status == "violated":
                cx = request.out_dir / f"{name}--{p}.json"
                cx.write_text("{}")
            out.append(PropertyResult(p, status, name, steps=3 if cx else None, counterexample=str(cx) if cx else None,
                                      scope="entra (4 replicas), logs <= 3, epochs <= 3" if status == "proved" else ""))
        return out
    mod = types.ModuleType(f"stub_{name}")
    mod.run = run
    monkeypatch.setitem(sys.modules, mod.__name__, mod)
    monkeypatch.setitem(__import__("dirproof.engines").engines.ENGINE_MODULES, name, mod.__name__)


def run_stubs(monkeypatch, tmp_path, first, second, *extra):
    seen: list = []
    stub_engine(monkeypatch, "explorer", first, seen)
    stub_engine(monkeypatch, "prover", second, seen)
    res = runner.invoke(app, ["check", "--engine", "explorer", "--engine", "prover", "--out", str(tmp_path),
                              *extra], env={"COLUMNS": "80"})
    return res, seen


def test_after_a_violation_the_later_engines_skip_it_and_by_default_stop(monkeypatch, tmp_path):
    res, seen = run_stubs(monkeypatch, tmp_path, {FIRST: "violated"}, {})
    assert res.exit_code == 1, res.output
    assert seen == [("explorer", tuple(PROPERTIES), None)]  # the prover never ran
    res, seen = run_stubs(monkeypatch, tmp_path, {FIRST: "violated"}, {}, "--keep-going", "--scope", "4", "5")
    assert seen[1] == ("prover", tuple(p for p in PROPERTIES if p != FIRST), (4, 5))
    last = res.stdout.splitlines()[-1]
    assert last.startswith("0 proved,") and "1 violated" in last
    assert last.endswith(f"; counterexamples in {tmp_path}")
    assert str(tmp_path / f"explorer--{FIRST}.json") in res.stdout  # the full path, never cut
    assert "at most" in res.stdout  # no engine searched for a shorter one: an upper bound


def test_a_proof_contradicted_by_a_counterexample_is_an_error_with_its_own_exit(monkeypatch, tmp_path):
    seen: list = []
    stub_engine(monkeypatch, "prover", {FIRST: "proved"}, seen)
    stub_engine(monkeypatch, "explorer", {FIRST: "violated"}, seen)
    res = runner.invoke(app, ["check", "--engine", "prover", "--engine", "explorer", "--out", str(tmp_path)])
    assert res.exit_code == 4, res.output
    assert res.stderr.count("\n") == 1 and "contradict" in res.stderr
    assert "prover proved it" in res.stderr and "explorer found a counterexample" in res.stderr
    assert str(tmp_path / f"explorer--{FIRST}.json") in res.stderr and (tmp_path / f"explorer--{FIRST}.json").exists()


def test_proved_states_its_scope_vacuous_is_inconclusive(monkeypatch, tmp_path):
    res, _ = run_stubs(monkeypatch, tmp_path, {}, {FIRST: "proved", "one-history": "vacuous"}, "--engine", "prover")
    assert res.exit_code == 3, res.output
    assert "proved for entra (4 replicas), logs <= 3, epochs <= 3" in res.stdout and "VACUOUS" in res.stdout
    assert res.stdout.splitlines()[-1].startswith(f"1 proved, {len(PROPERTIES) - 2} held, 1 vacuous, 0 violated")
    assert max(len(line) for line in res.stdout.splitlines()) <= 80


def test_a_path_that_does_not_replay_is_a_disagreement_of_the_encodings(monkeypatch, tmp_path):
    res, _ = run_stubs(monkeypatch, tmp_path, {}, {FIRST: "disagree"})
    assert res.exit_code == 4, res.output
    assert "the Z3 encoding and the model disagree" in res.stderr and res.stderr.count("\n") == 1
    assert "Traceback" not in res.output and not list(tmp_path.iterdir())


def test_a_flawed_design_ends_at_its_violation_with_the_shortest_length(tmp_path):
    """The default engines: the breadth-first search finds it (first, with its
    short budget), Z3 only checks that no shorter one exists; the other
    properties are not checked (no minute of proofs)."""
    res = runner.invoke(app, ["check", "--flaw", "ack-before-sync", "--seed", "1", "--out", str(tmp_path)],
                        env={"COLUMNS": "200"})
    assert res.exit_code == 1, res.output
    assert "VIOLATED in 2 steps (shortest: Z3 found no violation in fewer steps) [bfs" in res.stdout
    from dirproof.properties import ALL_PROPERTIES, PROPERTIES as PARTITION
    held, rest = len(PARTITION) - 1, len(ALL_PROPERTIES) - len(PARTITION)  # bfs judges the partition only
    assert res.stdout.splitlines()[-1].startswith(f"0 proved, {held} held, 1 violated, {rest} not checked")


def test_a_large_run_prints_an_estimate_first(monkeypatch, tmp_path):
    from dirproof.commands.run_engines import Run
    monkeypatch.setattr("dirproof.commands.check.run_in_order", lambda *a, **k: Run())
    big = runner.invoke(app, ["check", "--profile", "wide", "--scope", "6", "6", "--out", str(tmp_path)])
    assert "estimate: this run is large" in big.stderr and "--seconds" in big.stderr
    long = runner.invoke(app, ["check", "--engine", "hypothesis", "--examples", "100000", "--out", str(tmp_path)])
    assert "estimate: exploring 100000 examples" in long.stderr
    small = runner.invoke(app, ["check", "--out", str(tmp_path)])
    assert "estimate" not in small.stderr


# --------------------------------------------------------------------------- the breadth-first search leading

def test_a_bounded_breadth_first_held_ranks_below_any_other_held_and_its_length_stays_bounded(monkeypatch):
    """In the default order bfs runs first with a short budget: its `held`
    (every state within D steps) must not mask a later engine's verdict, and
    its "shortest within bounds" stays so unless Z3 settles it."""
    from dirproof.commands import run_engines
    from dirproof.defaults import BFS_LEAD_SECONDS
    from dirproof.results import WITHIN_BOUNDS, merge
    bounded = PropertyResult(FIRST, "held", "bfs", detail="every state within 4 steps (...): 9 states; not exhaustive")
    full = PropertyResult(FIRST, "held", "bfs", detail="exhaustive: 9 states, bounds ...")
    explored = PropertyResult(FIRST, "held", "hypothesis", examples=10)
    assert merge([bounded, explored])[FIRST] is explored and merge([full, explored])[FIRST] is full
    assert merge([bounded, PropertyResult(FIRST, "proved", "z3-induction")])[FIRST].status == "proved"
    assert run_engines._budget("bfs", True, None, None)["seconds"] == BFS_LEAD_SECONDS
    assert run_engines._budget("bfs", True, 500, None) == {"examples": None, "seconds": BFS_LEAD_SECONDS}
    found = PropertyResult(FIRST, "violated", "bfs", steps=5, counterexample="a.json",
                           length=f"{WITHIN_BOUNDS} (writes <= 3)")
    z3 = types.ModuleType("stub_z3_short")
    monkeypatch.setitem(sys.modules, z3.__name__, z3)
    monkeypatch.setattr(run_engines, "module_for", lambda engine, prop: z3.__name__)
    z3.shortest = lambda req, r, s: __import__("attrs").evolve(r, length="at most; Z3 ruled out only 3")
    assert run_engines._shorten("z3", None, [found]) == [found]
    z3.shortest = lambda req, r, s: __import__("attrs").evolve(r, length="shortest: Z3 found none shorter")
    assert run_engines._shorten("z3", None, [found])[0].length.startswith("shortest: Z3")


def test_the_breadth_first_lead_skips_a_partition_no_seeded_flaw_touches(tmp_path):
    """With only identity or cells flaws seeded and the partition as the
    profile has it, the lead searches the side machines only (it finds the
    flaw there at once, dirproof/bfs/side.py), not the partition, which is
    still judged by the later engines. A partition knob changed, a
    partition flaw, or no flaw at all: the lead searches the partition too."""
    import attrs
    from dirproof.commands.run_engines import partition_untouched, run_in_order
    from dirproof.model import make_config
    side = make_config("entra", flaws=["key-scope-unchecked"])
    assert partition_untouched(side)
    assert not partition_untouched(make_config("entra"))
    assert not partition_untouched(make_config("entra", flaws=["ack-before-sync", "key-scope-unchecked"]))
    assert not partition_untouched(attrs.evolve(side, pp_lag_limit=2))
    run = run_in_order(side, ("bfs", "hypothesis", "z3"), tmp_path)
    from dirproof.properties import layer_of
    assert not [r for r in run.results if r.engine == "bfs" and layer_of(r.property) == "partition"]
    assert [r.property for r in run.results if r.status == "violated"] == ["no-out-of-scope-key-accepted"]


def test_a_variant_of_a_protocol_setting_says_so_and_the_search_finds_its_break(tmp_path):
    """No seeded flaw, but a setting other than the design's: the header does
    not call it the safe design, and the breadth-first search's smaller
    scopes (with that setting's mechanisms) find its 5-step break."""
    toml = tmp_path / "memory.toml"
    toml.write_text('profile = "entra"\n[parameters]\nack_waits_for = "memory"\n')
    res = runner.invoke(app, ["check", "--config", str(toml), "--engine", "bfs", "--property", "no-acked-write-lost",
                              "--out", str(tmp_path)])
    assert res.exit_code == 1, res.output
    assert "flaws: none; settings other than the design's: ack_waits_for = memory" in res.output
    assert "safe design" not in res.output and "VIOLATED in 5 steps" in res.output
    res = runner.invoke(app, ["check", "--config", str(toml), "--engine", "bfs", "--property", "no-acked-write-lost",
                              "--out", str(tmp_path), "--json"])
    assert json.loads(res.stdout)["settings"] == {"ack_waits_for": "memory"}
