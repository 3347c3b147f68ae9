"""The behaviour check: a model walk's log is a behaviour of its own design,
and a flawed design's log is refused by the safe one with the model's reason."""

from __future__ import annotations

import random

import pytest

from conform_model import export, random_walk
from dirproof.conform.behaviour import check_behaviour
from dirproof.conform.events import dumps, parse
from dirproof.model import FLAWS, make_config
from dirproof.model import Create, Read
from scenarios import SCENARIOS, SYNC, w

DESIGNS = [None, "ack-before-sync", "promote-any-secondary", "read-ignores-token", "ship-unacked", "no-fencing"]


@pytest.mark.parametrize("flaw", DESIGNS)
@pytest.mark.parametrize("observer", ["system", "client"])
def test_a_model_walk_is_a_behaviour_of_its_design(flaw, observer):
    cfg = make_config("entra", flaws=[flaw] if flaw else [])
    for seed in range(3):
        walk = random_walk(cfg, random.Random(seed), 18)
        res = check_behaviour(parse(dumps(export(cfg, walk, observer))))
        assert res.ok, (seed, res.failed, res.reasons)


def _as_safe(events):
    header = {**events[0], "model": {**events[0]["model"], "flaws": []}}
    return parse(dumps([header, *events[1:]]))


@pytest.mark.parametrize("flaw, observer, event, words", [
    ("promote-any-secondary", "system", "promote", "only the PP B1 may be promoted"),
    ("promote-any-secondary", "client", "promote", "only the PP B1 may be promoted"),
    # only the system's own log shows that no second copy existed at the ack;
    # to a client's log the safe model may have copied it unseen
    ("ack-before-sync", "system", "ack", "has not acknowledged write w1"),
    ("read-ignores-token", "system", "read-ok", "the model's read at A2 returns"),
    ("read-ignores-token", "client", "read-ok", "the model's read at A2 returns"),
    ("pp-same-region", "system", "promote", "in the AP's region"),
    ("pp-same-region", "client", "promote", "in the AP's region"),
])
def test_a_flawed_designs_log_is_not_a_behaviour_of_the_safe_design(flaw, event, words, observer):
    cfg = make_config("entra", flaws=[flaw])
    steps = SCENARIOS[flaw][1]
    events = export(cfg, steps, observer)
    assert check_behaviour(parse(dumps(events))).ok  # its own design explains it
    res = check_behaviour(_as_safe(events))
    assert not res.ok and res.failed.event == event
    assert res.last_matched == res.failed.no - 1 or res.last_matched < res.failed.no
    assert any(words in r for r, _ in res.reasons), res.reasons


def test_a_changed_line_is_caught_where_it_was_changed():
    """The same safe walk, with one read's result edited to miss the
    session's own acknowledged write: the search stops at that line."""
    cfg = make_config("entra")
    steps = [w(Create(0)), *SYNC, Read(0), w(Create(1), session=1), *SYNC, Read(0)]
    events = export(cfg, steps, "client")
    assert check_behaviour(parse(dumps(events))).ok
    i = max(k for k, e in enumerate(events) if e["event"] == "read-ok")
    events[i] = {**events[i], "seen": events[i]["seen"][1:]}
    res = check_behaviour(parse(dumps(events)))
    assert not res.ok and res.failed.no == i + 1 and res.last_matched == i
    assert any("the model also has w1" in r for r, _ in res.reasons), res.reasons
