"""The design-review report: what it says follows from the evidence, and the
committed docs/review.md is current (names every property and flaw)."""

from pathlib import Path

import attrs
import pytest

from dirproof.model import FLAWS, make_config
from dirproof.properties import PROPERTIES
from dirproof.results import Contradiction, PropertyResult, merge
from dirproof.review import Review, render

ROOT = Path(__file__).resolve().parents[1]


def missed_cells(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| `") and "| MISSED" in line]


def review(broken_by: dict, missed=()) -> Review:
    safe = {p: PropertyResult(p, "proved" if i < 5 else "held", "z3-induction" if i < 5 else "hypothesis",
                              examples=0 if i < 5 else 300, detail="inductive for entra; more")
            for i, p in enumerate(PROPERTIES)}
    flaws = {}
    for f, flaw in FLAWS.items():
        flaws[f] = {p: PropertyResult(p, "held", "hypothesis", examples=10) for p in PROPERTIES}
        if f not in missed:
            p = broken_by.get(f, flaw.caught_by[0])
            flaws[f][p] = PropertyResult(p, "violated", "hypothesis", steps=3,
                                         counterexample=f"docs/review/{f}.json")
    return Review(make_config("entra"), ("z3", "hypothesis"), safe, flaws, {})


def test_the_report_sets_out_every_property_and_flaw_with_its_evidence():
    text = render(review({}), Path("docs/review.md"))
    for p in PROPERTIES.values():
        assert f"### `{p.id}`" in text and p.statement in text and p.seed_fact in text
    for f in FLAWS:
        assert f"| `{f}` |" in text
    assert f"{len(FLAWS)} of {len(FLAWS)} caught" in text and not missed_cells(text)
    assert "5 proved" in text and "[trace](review/ack-before-sync.json)" in text
    assert "## The fault model" in text and "## What each proof covers" in text


def test_a_flaw_that_no_named_property_catches_is_marked_missed():
    text = render(review({}, missed=("ship-unacked",)), Path("docs/review.md"))
    assert "**Missed: ship-unacked.**" in text
    row = next(line for line in text.splitlines() if line.startswith("| `ship-unacked` |"))
    assert "MISSED" in row


def test_the_report_shows_the_exploration_coverage_and_what_it_did_not_reach():
    from dirproof.explore import REACHABILITY, SITUATIONS, STEP_KINDS
    sits = [{"situation": s.id, "property": s.property, "count": 0 if s.id == REACHABILITY[0] else 3,
             "reachability": s.id in REACHABILITY, "statement": s.statement} for s in SITUATIONS.values()]
    cov = {"examples": 10, "steps": 500, "step_counts": {k: 1 for k in STEP_KINDS}, "situations": sits,
           "unreached": [REACHABILITY[0]]}
    rv = attrs.evolve(review({}), coverage=cov)
    text = render(rv, Path("docs/review.md"))
    assert "## Coverage of the exploration (safe design)" in text
    assert f"NOT reached: {REACHABILITY[0]}" in text
    assert all(f"(`{s}`)" in text for s in SITUATIONS) and "`tick` 1" in text


def test_merge_keeps_the_strongest_verdict():
    held = PropertyResult("p", "held", "hypothesis")
    proved = PropertyResult("p", "proved", "z3-induction")
    vacuous = PropertyResult("p", "vacuous", "z3-induction")
    broken = PropertyResult("p", "violated", "hypothesis", steps=4)
    shorter = PropertyResult("p", "violated", "z3-bmc", steps=2)
    assert merge([held, proved])["p"] is proved
    assert merge([held, vacuous])["p"] is vacuous
    assert merge([held, broken, shorter])["p"] is shorter


def test_a_proof_and_a_counterexample_of_one_property_are_a_contradiction_not_a_merge():
    proved = PropertyResult("p", "proved", "z3-induction", scope="entra, logs <= 3, epochs <= 3")
    broken = PropertyResult("p", "violated", "hypothesis", steps=4, counterexample="cx/p.json")
    for order in ([proved, broken], [broken, proved]):
        with pytest.raises(Contradiction) as err:
            merge(order)
        text = str(err.value)
        assert "z3-induction" in text and "hypothesis" in text and "cx/p.json" in text
    over = PropertyResult("p", "assumption-broken", "hypothesis", steps=4)
    assert merge([proved, over])["p"] is over  # beyond the fault budget: not what the proof covers


def test_the_committed_review_is_current():
    text = (ROOT / "docs" / "review.md").read_text()
    for p in PROPERTIES:
        assert f"### `{p}`" in text, f"docs/review.md lacks {p}: run `dirproof review`"
    for f in FLAWS:
        assert f"| `{f}` |" in text, f"docs/review.md lacks flaw {f}: run `dirproof review`"
    assert not missed_cells(text) and "**Missed" not in text
    assert "## Coverage of the exploration (safe design)" in text and "(all reached)" in text


def test_the_report_links_the_published_files_not_the_staging_folder(tmp_path):
    """`dirproof review` runs the engines into a staging folder and renames at
    the end; the report must link the final paths."""
    from dirproof.review import relocate, write
    stage, final = tmp_path / "review" / ".dirproof-run-x", tmp_path / "review"
    rv = review({})
    f = next(iter(FLAWS))
    p = next(p for p, r in rv.flaws[f].items() if r.status == "violated")
    staged = str(stage / f"{f}.json")
    rv = attrs.evolve(rv, flaws={**rv.flaws, f: {**rv.flaws[f], p: attrs.evolve(rv.flaws[f][p], counterexample=staged)}},
                      pictures={staged: str(stage / f"{f}.svg")})
    moved = {staged: str(final / f"{f}.json"), str(stage / f"{f}.svg"): str(final / f"{f}.svg")}
    out = write(relocate(rv, moved), tmp_path / "review.md")
    text = out.read_text()
    assert f"[trace](review/{f}.json)" in text and f"[picture](review/{f}.svg)" in text
    assert ".dirproof-run" not in text and [x.name for x in tmp_path.iterdir() if x.is_file()] == ["review.md"]
