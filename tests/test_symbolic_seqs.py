"""The bounded sequences of a symbolic run (dirproof/symbolic/seqs.py) against
the tuples of a concrete run (model/seq.py), on every small case.

Every operation is evaluated both ways: on tuples, and on a SymSeq whose
leaves are Z3 literals (indices given as Z3 terms too, so the symbolic code
paths run), then simplified by Z3 to a value. They must agree wherever the
concrete operation is defined. The test is shown to fail on a wrong
implementation (`test_a_wrong_sequence_operation_is_caught`).
"""

import itertools

import pytest
import z3

from dirproof.model import seq
from dirproof.symbolic import paths as P
from dirproof.symbolic.seqs import SymLedger, SymSeq
from dirproof.symbolic.terms import lit, numbers

CAP = 3
ALPHABET = (1, 2)
TUPLES = [t for n in range(CAP + 1) for t in itertools.product(ALPHABET, repeat=n)]


def sym(t: tuple) -> SymSeq:
    slots = tuple(lit(x) for x in t) + (lit(0),) * (CAP - len(t))
    return SymSeq(lit(len(t)), slots, lit(0))


def value(x):
    if isinstance(x, SymSeq):
        n = value(x.length)
        return tuple(value(s) for s in x.slots[:n])
    v = z3.simplify(x) if z3.is_expr(x) else x
    if z3.is_expr(v):
        if z3.is_true(v) or z3.is_false(v):
            return z3.is_true(v)
        return v.as_signed_long()
    return v


def agree_on_everything():
    """Every operation on every small case; the first disagreement, or None."""
    with numbers(6):
        return _first_disagreement()


def _first_disagreement():
    for a in TUPLES:
        sa = sym(a)
        checks = [("length", lambda: seq.length(a), lambda: seq.length(sa))]
        for i in range(-1, CAP + 1):
            checks.append((f"at {i}", lambda i=i: seq.at(a, i, 9), lambda i=i: seq.at(sa, lit(i), 9)))
            checks.append((f"prefix {i}", lambda i=i: seq.prefix(a, i), lambda i=i: seq.prefix(sa, lit(i))))
            for x in ALPHABET:
                checks.append((f"holds {i + 1} {x}", lambda i=i, x=x: seq.holds(a, i + 1, x),
                               lambda i=i, x=x: seq.holds(sa, lit(i + 1), lit(x))))
        if len(a) < CAP:
            checks.append(("append", lambda: seq.append(a, 2), lambda: P.run(lambda: seq.append(sa, lit(2)))[0].result))
        for b in TUPLES:
            sb = sym(b)
            checks.append((f"common {b}", lambda b=b: seq.common(a, b), lambda sb=sb: seq.common(sa, sb)))
            checks.append((f"same {b}", lambda b=b: seq.same(a, b), lambda sb=sb: seq.same(sa, sb)))
            for upto in range(CAP + 1):
                checks.append((f"extend {b} {upto}", lambda b=b, u=upto: seq.extend(a, b, u),
                               lambda sb=sb, u=upto: seq.extend(sa, sb, lit(u))))
        for lo, hi in itertools.product(range(CAP + 1), repeat=2):
            checks.append((f"items {lo} {hi}", lambda lo=lo, hi=hi: [(i, x) for _, i, x in seq.items(a, lo, hi)],
                           lambda lo=lo, hi=hi: [(i, x) for p, i, x in seq.items(sa, lit(lo), lit(hi))
                                                 if value(p)]))
        for name, ft, fs in checks:
            with numbers(6), P.active():
                want, got = ft(), fs()
                got = [(i, value(x)) for i, x in got] if isinstance(got, list) else value(got)
            if want != got:
                return f"{name} on {a}: tuple gives {want}, SymSeq gives {got}"
    return None


def test_every_sequence_operation_agrees_with_tuples():
    assert agree_on_everything() is None


def test_a_wrong_sequence_operation_is_caught(monkeypatch):
    """A common-prefix length one too long, in the symbolic form only."""
    right = SymSeq.common
    monkeypatch.setattr(SymSeq, "common", lambda self, other: right(self, other) + 1)
    why = agree_on_everything()
    assert why is not None and why.startswith("common")


def test_ledger_adds_each_entry_once_and_leaves_scope_at_k_plus_one():
    with numbers(6), P.active():
        led = SymLedger((lit(0),) * 2, ((lit(0), lit(0)),) * 2)
        found = P.run(lambda: led.add(1, lit(5)).add(1, lit(5)).add(1, lit(6)))
        assert len(found) == 1 and value(found[0].scope) is True
        after = found[0].result
        assert value(after.count(1)) == 2 and value(after.has(1, lit(6))) is True and value(after.has(2, lit(5))) is False
        over = P.run(lambda: after.add(1, lit(7)))
        assert value(over[0].scope) is False  # a third distinct entry at one LSN is out of scope


@pytest.mark.parametrize("t", [(), (1,), (1, 2, 1)])
def test_a_symbolic_index_past_the_end_gives_the_default(t):
    with numbers(6), P.active():
        assert value(seq.at(sym(t), lit(len(t)), 9)) == 9
