"""The one registry of steps (model/next.py NEXT): what each step declares
of itself holds of its code, and docs/model.md shows the registry as it is.

A step's `modifies` is its frame (the Z3 derivation leaves a key no path
changes at its pre-state term): here every accepted step, from every state
of the flaw scenarios and of random walks, under the safe design and every
flaw, changes only the State fields it declares.
"""

from __future__ import annotations

import importlib
import random
from pathlib import Path

import attrs
import pytest

from dirproof.model import FLAWS, Rejected, State, candidates, initial_state, make_config, step
from dirproof.model import EmergencyFailover
from dirproof.model.next import INPUTS, NEXT, SPECS, next_table
from scenarios import SCENARIOS

next_module = importlib.import_module("dirproof.model.next")
DOCS = Path(__file__).resolve().parent.parent / "docs" / "model.md"


def changed(before: State, after: State) -> set[str]:
    return {f.name for f in attrs.fields(State) if getattr(before, f.name) != getattr(after, f.name)}


def frame_breaches(states, specs=SPECS) -> list[str]:
    """(step, fields changed outside its declared `modifies`) over every
    candidate action of every given state."""
    out = set()
    for s in states:
        for action in candidates(s):
            nxt = step(s, action)
            if isinstance(nxt, Rejected):
                continue
            extra = changed(s, nxt) - set(specs[type(action)].modifies)
            if extra:
                out.add(f"{specs[type(action)].name} changes {', '.join(sorted(extra))}")
    return sorted(out)


def _states(flaws: tuple, seed: int) -> list[State]:
    cfg = make_config("entra", flaws=flaws)
    out = []
    for _, steps, _ in SCENARIOS.values():
        s = initial_state(cfg)
        for a in steps:
            nxt = step(s, a)
            s = s if isinstance(nxt, Rejected) else nxt
            out.append(s)
    rng = random.Random(seed)
    s = initial_state(cfg)
    for _ in range(60):
        moves = [n for a in candidates(s) if not isinstance(n := step(s, a), Rejected)]
        s = rng.choice(moves)
        out.append(s)
    return out


# (an identity or cells flaw changes no step of the partition: tests/test_identity_frames.py and
# tests/test_cells.py check those machines' frames)
@pytest.mark.parametrize("flaws", [()] + [(f,) for f in FLAWS if FLAWS[f].area not in ("identity", "cells")],
                         ids=lambda f: f[0] if f else "safe")
def test_every_step_changes_only_what_it_declares(flaws):
    assert frame_breaches(_states(flaws, seed=len(flaws))) == []


def left_out(states) -> list[str]:
    """Enabled actions that `candidates` does not list, over every argument
    of every step whose arguments are all enumerable (listing only where a
    step's first guard holds must never drop an enabled action)."""
    out = set()
    for s in states:
        listed = set(candidates(s))
        for spec in NEXT:
            if any(k in INPUTS for k in spec.over):
                continue
            reached = None
            for args in spec.arguments(s.config):
                action = spec.action(*args)
                if action in listed or isinstance(nxt := step(s, action), Rejected):
                    continue
                if reached is None:  # (a link is listed once, as (a, b) with a < b: the same successor)
                    reached = {step(s, a) for a in listed if type(a) is spec.action}
                if nxt not in reached:
                    out.add(f"{spec.name}{args}")
    return sorted(out)


@pytest.mark.parametrize("flaws", [()] + [(f,) for f in FLAWS if FLAWS[f].area not in ("identity", "cells")],
                         ids=lambda f: f[0] if f else "safe")
def test_the_candidates_include_every_enabled_action(flaws):
    states = _states(flaws, seed=len(flaws))
    assert any(s.replicas[s.orchestrator.ap].up is False for s in states)  # states where a failover is due
    assert left_out(states) == []


def test_a_listing_that_drops_an_enabled_action_is_caught(monkeypatch):
    monkeypatch.setitem(next_module._SPECIAL, EmergencyFailover, lambda s: ())
    monkeypatch.setattr(next_module, "_PLANS", {})
    assert any(x.startswith("emergency_failover") for x in left_out(_states((), seed=0)))


def test_a_wrong_declaration_is_caught():
    wrong = {**SPECS}
    acknowledge = next(s for s in NEXT if s.name == "acknowledge")
    wrong[acknowledge.action] = attrs.evolve(acknowledge, modifies=("replicas", "history"))
    assert "acknowledge changes sessions" in frame_breaches(_states((), seed=0), wrong)


def test_docs_show_the_registry_as_it_is():
    assert next_table() in DOCS.read_text(), "docs/model.md: paste next_table() into 'The next-state relation'"
