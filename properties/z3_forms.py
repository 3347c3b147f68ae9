"""The Z3 forms of the replication and session properties (design.md §4, 1-5).

Each form is a formula over a symbolic state of `dirproof.model.symbolic`
(keys, ghost state and monitors are described there) that holds exactly
when the Python predicate of the same id (properties/durability.py,
properties/sessions.py) returns None on a state whose abstraction it is.
tests/test_z3_properties.py checks that on drawn states.

The history properties are *compiled into monitors*: the Z3 steps run, at
each acknowledgement and each read, the judgement that the Python predicate
makes over the recorded history, and latch its verdict in `("h", name)`;
the forms read the latches together with the state.

| property              | Z3 form                                                             |
|-----------------------|---------------------------------------------------------------------|
| no-acked-write-lost   | not h_regions; every acknowledged slot (LSN i, entry a) is held at  |
|                       | i by the acting AP (if there is one) and by some replica            |
| one-history           | committed prefixes agree pairwise; not h_two_ackers; at most one    |
|                       | distinct entry acknowledged per LSN                                 |
| read-your-writes      | not h_ryw                                                           |
| monotonic-reads       | not h_mono                                                          |
| no-read-of-lost-write | not h_lost                                                          |

The forms run in both modes of the encoding: over Z3 terms, and over plain
values (`evaluate`), which is how the tests compare them with Python.
The soft-delete properties (6-8) are stated over the object layer's own
encoding (properties/z3_object_forms.py, model/symbolic_objects.py).

bounded-write-unavailability (9) is, in this model, a state predicate about
which steps are enabled (properties/liveness.py: the failover takes one
orchestrator step), so its form (`AVAILABILITY_FORMS`) reads the guards of
the encoded steps: whenever the AP is unavailable and the PP is up, current
and in sync, the emergency failover to the first valid new PP is enabled;
and a read at an up replica that covers the session's token is enabled. It
is not part of the inductive invariant: it is proved by showing that the
proved invariant implies it (dirproof/z3_engine.py, `prove_availability`).
"""

from __future__ import annotations

from typing import Callable

from dirproof.model.symbolic import AND, EQ, IMPLIES, NOT, OR, Encoding, entry_eq


def _acked(enc: Encoding, st: dict):
    """(there, i, slot) for every acknowledged-entry slot."""
    for i in range(enc.L):
        for k in range(enc.K):
            yield st[("ackn", i)] > k, i, enc.slot(st, i, k)


def no_acked_write_lost(enc: Encoding, st: dict):
    parts = [NOT(st[("h", "regions")])]
    for there, i, a in _acked(enc, st):
        on_ap = AND(*(IMPLIES(enc.acting(st, r), enc.holds(st, r, i, a)) for r in enc.R))
        somewhere = OR(*(enc.holds(st, r, i, a) for r in enc.R))
        parts.append(IMPLIES(there, AND(on_ap, somewhere)))
    return AND(*parts)


def committed_prefixes_agree(enc: Encoding, st: dict):
    parts = []
    for a in enc.R:
        for b in range(a + 1, enc.n):
            for i in range(enc.L):
                inside = AND(st[("cm", a)] > i, st[("cm", b)] > i)
                parts.append(IMPLIES(inside, entry_eq(enc.entry(st, a, i), enc.entry(st, b, i))))
    return AND(*parts)


def one_history(enc: Encoding, st: dict):
    return AND(committed_prefixes_agree(enc, st), NOT(st[("h", "two_ackers")]),
               *(st[("ackn", i)] <= 1 for i in range(enc.L)))


def read_your_writes(enc: Encoding, st: dict):
    return NOT(st[("h", "ryw")])


def monotonic_reads(enc: Encoding, st: dict):
    return NOT(st[("h", "mono")])


def no_read_of_lost_write(enc: Encoding, st: dict):
    return NOT(st[("h", "lost")])


def _writes_come_back(enc: Encoding, st: dict):
    parts = []
    for p in enc.R:
        pp = enc.view(st, p)
        premise = AND(EQ(enc.cur_pp(st), p), enc.ap_unavailable(st), pp.up, EQ(pp.ep, st[("oe",)]),
                      st[("insync",)])
        for c in enc.R:
            first = AND(enc.passive_ok(st, p, c), *(NOT(enc.passive_ok(st, p, b)) for b in enc.R if b < c))
            guard, _ = enc.emergency_failover(st, p, c, scoped=False)
            parts.append(IMPLIES(AND(premise, first), guard))
    return AND(*parts)


def _reads_served(enc: Encoding, st: dict):
    parts = []
    for s in range(enc.S):
        covered = OR(*(AND(EQ(st[("srep", s)], r), st[("up", r)], st[("cm", r)] >= st[("stL", s)])
                       for r in enc.R))
        guard, _ = enc.read(st, s)
        parts.append(IMPLIES(covered, guard))
    return AND(*parts)


def bounded_write_unavailability(enc: Encoding, st: dict):
    return AND(_writes_come_back(enc, st), _reads_served(enc, st))


AVAILABILITY_FORMS: dict[str, Callable] = {"bounded-write-unavailability": bounded_write_unavailability}

FORMS: dict[str, Callable] = {
    "no-acked-write-lost": no_acked_write_lost,
    "one-history": one_history,
    "read-your-writes": read_your_writes,
    "monotonic-reads": monotonic_reads,
    "no-read-of-lost-write": no_read_of_lost_write,
}

IN_SCOPE = tuple(FORMS)


def evaluate(enc: Encoding, prop: str, values: dict) -> bool:
    """The form of `prop` on a concrete state (an abstraction's values)."""
    out = {**FORMS, **AVAILABILITY_FORMS}[prop](enc, values)
    assert isinstance(out, bool), f"{prop} did not evaluate to a value: {out}"
    return out
