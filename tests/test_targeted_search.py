"""Targeted search (issue 13 item 6): `dirproof check --property P` judges the
named properties only, and `--all-violations` lets the explorers go on past
their first violation (the review's flaw matrix uses it)."""

import json
import sys
import types
from pathlib import Path

from typer.testing import CliRunner

from dirproof import hypothesis_engine
from dirproof import review as review_module
from dirproof.cli import app
from dirproof.engines import EngineRequest
from dirproof.model import make_config
from dirproof.properties import PROPERTIES
from dirproof.results import PropertyResult

runner = CliRunner()


def stub(monkeypatch, seen: list, violated=()) -> None:
    """An engine `stub` that records each request and violates `violated`."""
    def run(request):
        seen.append(request)
        return [PropertyResult(p, "violated" if p in violated else "held", "stub") for p in request.properties]
    mod = types.ModuleType("stub_targeted")
    mod.run = run
    monkeypatch.setitem(sys.modules, mod.__name__, mod)
    monkeypatch.setitem(__import__("dirproof.engines").engines.ENGINE_MODULES, "stub", mod.__name__)


def test_property_names_what_the_engines_judge_and_what_is_printed(monkeypatch, tmp_path):
    seen: list = []
    stub(monkeypatch, seen)
    res = runner.invoke(app, ["check", "--engine", "stub", "--out", str(tmp_path), "--property", "one-history",
                              "--property", "no-acked-write-lost", "--json"])
    assert res.exit_code == 0, res.output  # the other properties, not asked about, do not make it inconclusive
    assert seen[0].properties == ("no-acked-write-lost", "one-history")  # catalogue order
    out = json.loads(res.stdout)
    assert out["properties"] == ["no-acked-write-lost", "one-history"]
    assert [r["property"] for r in out["results"]] == ["no-acked-write-lost", "one-history"]
    text = runner.invoke(app, ["check", "--engine", "stub", "--out", str(tmp_path), "--property", "one-history"])
    assert "read-your-writes" not in text.stdout and text.stdout.splitlines()[-1].startswith("0 proved, 1 held")
    assert not seen[-1].all_violations


def test_all_violations_reaches_the_engines(monkeypatch, tmp_path):
    seen: list = []
    stub(monkeypatch, seen)
    # the partition's properties, all of them (the stub does not judge the identity layer)
    asked = [a for p in PROPERTIES for a in ("--property", p)]
    res = runner.invoke(app, ["check", "--engine", "stub", "--out", str(tmp_path), "--all-violations", *asked])
    assert res.exit_code == 0, res.output
    assert seen[0].all_violations and seen[0].properties == tuple(PROPERTIES)


def test_an_unknown_property_is_one_line_listing_the_known_ones():
    res = runner.invoke(app, ["check", "--property", "one-history", "--property", "no-such"])
    assert res.exit_code == 2 and res.stderr.count("\n") == 1
    assert "unknown property 'no-such'" in res.stderr and all(p in res.stderr for p in PROPERTIES)


def test_a_property_asked_about_is_found_behind_another_symptom(tmp_path):
    """ship-unacked first breaks no-read-of-lost-write; asked about one-history
    alone, the search finds that one."""
    res = runner.invoke(app, ["check", "--engine", "hypothesis", "--seed", "1", "--examples", "200",
                              "--flaw", "ship-unacked", "--property", "one-history", "--json",
                              "--out", str(tmp_path)])
    assert res.exit_code == 1, res.output
    (r,) = json.loads(res.stdout)["results"]
    assert r["property"] == "one-history" and r["status"] == "violated"


def test_all_violations_finds_more_than_the_first_round(tmp_path):
    cfg = make_config("entra", flaws=("ack-before-sync",))

    def violated(all_violations: bool) -> set:
        req = EngineRequest(cfg, tuple(PROPERTIES), examples=200, seed=1, out_dir=tmp_path,
                            all_violations=all_violations, later_examples=30)
        return {r.property for r in hypothesis_engine.run(req) if r.status == "violated"}
    first, every = violated(False), violated(True)
    assert first == {"no-acked-write-lost"}
    assert first < every and "one-history" in every


def test_the_review_explores_each_flaw_once_past_its_first_violation(monkeypatch, tmp_path):
    seen: list = []
    monkeypatch.setattr(review_module, "run", lambda engine, req: seen.append(req) or [])
    review_module._shortest_of_seeds(make_config("entra", flaws=("ship-unacked",)), ("hypothesis",), None,
                                     Path(tmp_path), None)
    assert [r.all_violations for r in seen] == [True] + [False] * (review_module.FLAW_SEEDS - 1)
    assert seen[0].later_examples == review_module.LATER_EXAMPLES
