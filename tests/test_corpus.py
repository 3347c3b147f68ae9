"""The regression corpus tests/counterexamples/*.json (one per seeded flaw,
made by tests/make_corpus.py from tests/scenarios.py): each still breaks its
property under its flaw, and its steps are rejected or harmless under the
safe design."""

import json
from pathlib import Path

import pytest

from dirproof import counterexample as cxf
from dirproof.counterexample import Counterexample
from dirproof.model import FLAWS
from dirproof.replay import ReplayError, replay, safe_config

CORPUS = Path(__file__).parent / "counterexamples"
FILES = sorted(CORPUS.glob("*.json"))


def test_every_seeded_flaw_has_a_corpus_file():
    flaws = {cxf.load(p).config.flaws for p in FILES}
    missing = sorted(f for f in FLAWS if (f,) not in flaws)
    assert not missing, f"no corpus file for {missing}: run python tests/make_corpus.py"


def test_corpus_files_have_stable_names_and_round_trip():
    for p in FILES:
        cx = cxf.load(p)
        assert p.name == cx.name
        data, again = json.loads(p.read_text()), cxf.to_json(cx)
        data.pop("dirproof"), again.pop("dirproof")  # the writer's version may differ
        assert data == again, f"{p.name} does not round-trip"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_corpus_file_still_breaks_its_property(path):
    cx = cxf.load(path)
    assert cx.property in FLAWS[cx.config.flaws[0]].caught_by
    o = replay(cx).outcome
    assert o.reproduced, o.notes
    assert (o.status, o.property, o.exit_code) == (cx.status, cx.property, 1)
    assert o.step <= len(cx.steps) and o.message


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_corpus_steps_are_rejected_or_harmless_under_the_safe_design(path):
    cx = cxf.load(path)
    safe = Counterexample(safe_config(cx.config), cx.steps, cx.property, cx.violated_at)
    assert safe.config.flaws == ()
    try:
        rp = replay(safe)
    except ReplayError:
        return  # the safe design refuses a step: fine
    broken = {v.property for r in rp.steps for v in r.broken}
    assert not broken, f"under the safe design: {broken}"
    assert rp.outcome.exit_code == 0
