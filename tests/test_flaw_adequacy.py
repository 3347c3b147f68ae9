"""Flaw adequacy: the Hypothesis engine, as `dirproof check` runs it, catches
every seeded flaw with a property that design.md §5 names for it, and the
saved counterexample replays on the model; the safe design shows no
violation in the same budget. Seeds are fixed so CI is reproducible."""

import pytest

from dirproof.counterexample import load
from dirproof.engines import EngineRequest, run
from dirproof.model import FLAWS, make_config
from dirproof.properties import PROPERTIES, SIDE_LAYERS
from dirproof.replay import replay

SECONDS = 90.0  # a ceiling: with seed 1 each flaw is found, shortened and saved in under 5 s


def explore(flaws, tmp_path, seconds=SECONDS):
    # an identity or cells flaw is explored on its own machine (model/identity/, model/cells/), the others on the partition
    side = [FLAWS[f].area for f in flaws if FLAWS[f].area in SIDE_LAYERS]
    props = SIDE_LAYERS[side[0]] if side else PROPERTIES
    req = EngineRequest(make_config("entra", flaws=flaws), tuple(props), seconds=seconds,
                        seed=1, out_dir=tmp_path)
    return {r.property: r for r in run("hypothesis", req)}


@pytest.mark.parametrize("flaw", list(FLAWS))
def test_the_exploration_catches_the_flaw(flaw, tmp_path):
    results = explore([flaw], tmp_path)
    caught = [p for p in FLAWS[flaw].caught_by if results[p].status == "violated"]
    assert caught, f"{flaw}: none of {FLAWS[flaw].caught_by} broke: " + str(
        {p: r.status for p, r in results.items() if r.status != "held"})
    r = results[caught[0]]
    cx = load(r.counterexample)
    assert cx.config.flaws == (flaw,) and len(cx.steps) == r.steps
    rp = replay(cx)
    assert rp.outcome.reproduced and rp.outcome.property == caught[0]


def test_the_safe_design_shows_no_violation_in_the_same_budget(tmp_path):
    results = explore([], tmp_path, seconds=40.0)
    assert {p: r.status for p, r in results.items()} == {p: "held" for p in PROPERTIES}
    assert all(r.examples > 100 for r in results.values())
