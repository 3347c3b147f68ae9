"""The log forms agree with the model's properties on the model's own histories.

Walks drawn from the Python model (the safe design and every replication and
session flaw of dirproof.model.FLAWS, from the flaw's known scenario and at
random) are exported as event logs (tests/conform_model.py) and judged by
`dirproof conform`'s log forms; the verdicts must match the model's
predicates (PROPERTIES[p].check after every step of the walk):

* never a violation the model does not have (no false alarm), for every
  property and both observers (one shared piece of evidence excepted, see
  SAME_EVIDENCE);
* every violation the model has, except the documented gaps where a log
  cannot show it (docs/conformance.md, Log forms): replica state that no
  read reveals, and for a client's log also copies (two regions) and the
  strict "read only acknowledged data".

A form deliberately broken makes this test fail (test_a_broken_form_disagrees).
"""

from __future__ import annotations

import random
from functools import lru_cache

import pytest

from conform_model import HISTORY_PROPERTIES, export, model_verdicts, random_walk
from dirproof.conform import forms
from dirproof.conform.events import dumps, parse
from dirproof.model import FLAWS, make_config
from scenarios import EXTRA_SCENARIOS, SCENARIOS

DESIGNS = [None] + [f for f, flaw in FLAWS.items() if flaw.area in ("replication", "sessions")]
SEEDS = 14
LENGTH = 32

# Model messages a log cannot show (the gap and why: docs/conformance.md).
GAPS = {
    "system": {
        "one-history": ("hold different committed entries",),  # replica state no read revealed
        "no-acked-write-lost": ("is missing from the log of", "is held by no replica"),
    },
    "client": {
        "one-history": ("hold different committed entries",),
        "no-acked-write-lost": ("is missing from the log of", "is held by no replica",
                                "was held only in region"),  # a client sees no copies
        "no-read-of-lost-write": ("which was never acknowledged",),  # in flight is not lost
    },
}


# A read past an acknowledged write's position that lacks it shows the write
# gone from that replica's history: the model names it no-acked-write-lost
# when the AP's history lost it, one-history when the replica's committed
# history disagrees with the AP's (so its position says nothing of its
# prefix). A client cannot tell the two apart (docs/conformance.md).
SAME_EVIDENCE = {"no-acked-write-lost": ("one-history",)}


def _starts(flaw):
    out = [[]]
    if flaw in SCENARIOS:
        out.append(SCENARIOS[flaw][1])
    out += [steps for name, (f, _, steps, _) in EXTRA_SCENARIOS.items() if f == flaw]
    return out


@lru_cache(maxsize=None)
def cases() -> tuple:
    """(design, observer, model verdicts, parsed log) for every drawn walk."""
    out = []
    for flaw in DESIGNS:
        cfg = make_config("entra", flaws=[flaw] if flaw else [])
        starts = _starts(flaw)
        for seed in range(SEEDS):
            walk = random_walk(cfg, random.Random(seed), LENGTH, starts[seed % len(starts)])
            verdicts = model_verdicts(cfg, walk)
            for observer in ("system", "client"):
                try:
                    events = export(cfg, walk, observer)
                except ValueError:  # two writes made equal entries: the model cannot tell them apart
                    continue
                out.append((flaw, observer, verdicts, parse(dumps(events))))
    return tuple(out)


def disagreements(form_table=None) -> list[str]:
    out = []
    for flaw, observer, model, log in cases():
        got = forms.check(log, form_table)
        for p in HISTORY_PROPERTIES:
            if p not in got:
                continue
            m, lf = model[p], got[p]
            if lf is not None and m is None and not any(model[q] for q in SAME_EVIDENCE.get(p, ())):
                out.append(f"{flaw}/{observer}: {p}: false alarm: {lf.message}")
            elif m is not None and lf is None and not any(g in m for g in GAPS[observer].get(p, ())):
                out.append(f"{flaw}/{observer}: {p}: missed: {m}")
    return out


def test_log_forms_agree_with_the_model():
    assert disagreements() == []


def test_every_property_is_caught_in_some_log_by_both_sides():
    both = {(obs, p) for _, obs, model, log in cases() for p, f in forms.check(log).items()
            if f is not None and model[p] is not None}
    for obs in ("system", "client"):
        for p in HISTORY_PROPERTIES:
            assert (obs, p) in both, f"no walk shows {p} in a {obs} log: the agreement would be vacuous"


def _never(log):
    return None


def _monotonic_le(log):
    last = {}
    for r in sorted((r for r in log.reads.values() if r.ok), key=lambda r: r.outcome.no):
        if r.key in last and r.outcome.get("lsn") <= last[r.key]:
            return forms.Finding("monotonic-reads", "went back or stayed", (r.outcome.no,))
        last[r.key] = r.outcome.get("lsn")
    return None


def _lost_by_lsn_only(log):
    for w in (w for w in log.writes.values() if w.acked):
        for r in (r for r in log.reads.values() if r.ok):
            if r.invoke.no > w.outcome.no and r.outcome.get("lsn") >= w.outcome.get("lsn") and w.id not in r.seen:
                return forms.Finding("no-acked-write-lost", "missing", (r.outcome.no,))
    return None


def _client_form_everywhere(log):
    reads = forms._ok_reads(log)
    for r in reads:
        for wid in r.seen:
            found = forms._unwritten(log, r, wid) or forms._shown_lost(log, reads, r, wid)
            if found:
                return found
    return None


@pytest.mark.parametrize("prop, broken", [
    ("read-your-writes", _never),
    ("monotonic-reads", _monotonic_le),
    ("no-acked-write-lost", _lost_by_lsn_only),
    ("no-read-of-lost-write", _client_form_everywhere),
    ("one-history", _never),
])
def test_a_broken_form_disagrees(prop, broken):
    found = disagreements({**forms.FORMS, prop: broken})
    assert found and all(f": {prop}: " in d for d in found), found[:3]
