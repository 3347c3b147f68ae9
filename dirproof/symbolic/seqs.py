"""Bounded sequences: what a log, the roles and the ledger are in a symbolic run.

`SymSeq` has the operations model/seq.py dispatches to, over a length term
and a fixed number of slots (the scope's capacity). Slots past the length
hold the null element, so that two states are equal exactly when their
flattened keys are (states.py). Appending past the capacity leaves the
scope: the step is then not in the relation (`within_scope`), never wrapped.

`SymLedger` is the monitors' ledger of acknowledged entries
(properties/monitors.py `Ledger`) with K slots per LSN.

tests/test_symbolic_seqs.py checks every operation against the tuple form
on every small case.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Optional

import weakref

import attrs

from dirproof.model import algebra
from dirproof.model.algebra import AND, ANY, COUNT, EQ, ITE, MAX, MIN, NOT

from . import paths


_GETS: "weakref.WeakKeyDictionary[SymSeq, dict]" = weakref.WeakKeyDictionary()


def _scope(condition: Any) -> None:
    backend = algebra._BACKEND
    if backend is not None and condition is not True:
        backend.within_scope(condition)  # type: ignore[attr-defined]
    elif condition is False:
        raise AssertionError("out of scope outside a symbolic run")


@attrs.frozen(eq=False)
class SymSeq:
    """A sequence of at most `len(slots)` elements, `length` of them present."""

    length: Any
    slots: tuple
    null: Any
    place: Optional[Callable[[int, Any], Any]] = None  # how an element sits at a position (an entry's LSN)

    @property
    def cap(self) -> int:
        return len(self.slots)

    def _put(self, j: int, x: Any) -> Any:
        return self.place(j, x) if self.place is not None else x

    def _with(self, length: Any, slots: list) -> "SymSeq":
        return SymSeq(length, tuple(self._put(j, x) for j, x in enumerate(slots)), self.null, self.place)

    def get(self, i: Any, default: Any = None) -> Any:
        if type(i) is int:
            if not 0 <= i < self.cap:
                return default
            return self.slots[i] if default is None else ITE(self.length > i, self.slots[i], default)
        # The same symbolic index into the same sequence is asked for again
        # and again (the current roles, on every path of every step): the
        # element term is built once, with no path's decisions folded in, so
        # that it holds on every path.
        cache = _GETS.setdefault(self, {})
        key = (i.get_id(), id(default))
        hit = cache.get(key)
        if hit is not None and hit[1] is default:  # i: same id, and the cached i is alive: same term
            return hit[2]
        old = algebra.install(paths.Terms())  # builds terms, folds nothing
        try:
            out = self._get(i, default)
        finally:
            algebra.install(old)
        cache[key] = (i, default, out)  # i and default kept alive: their ids stay theirs
        return out

    def _get(self, i: Any, default: Any) -> Any:
        out = self.null if default is None else default
        for j in range(self.cap - 1, -1, -1):
            out = ITE(EQ(i, j), self.slots[j], out)
        return out if default is None else ITE(AND(i >= 0, i < self.length), out, default)

    def append(self, x: Any) -> "SymSeq":
        _scope(self.length < self.cap)
        return self._with(self.length + 1, [ITE(EQ(self.length, j), x, s) for j, s in enumerate(self.slots)])

    def keep_last(self, x: Any, when: Any = True) -> "SymSeq":
        """x appended when `when` holds; when full, the oldest is dropped
        (a window of the last `cap` elements: the kept snapshots)."""
        n, cap = self.length, self.cap
        full = n >= cap
        slots = [ITE(when, ITE(full, self.slots[j + 1] if j + 1 < cap else x, ITE(EQ(n, j), x, s)), s)
                 for j, s in enumerate(self.slots)]
        return self._with(ITE(when, MIN(n + 1, cap), n), slots)

    def prefix(self, n: Any) -> "SymSeq":
        n = MAX(MIN(n, self.length), 0)
        return self._with(n, [ITE(j < n, s, self.null) for j, s in enumerate(self.slots)])

    def extend(self, source: Any, upto: Any) -> "SymSeq":
        src = lift(source, self)
        top = MAX(self.length, MIN(upto, src.length))
        return self._with(top, [ITE(AND(self.length <= j, j < top), src.slots[j], s)
                                for j, s in enumerate(self.slots)])

    def flags(self, other: Any) -> list:
        """c[i]: the first i + 1 elements of both exist and agree."""
        o = lift(other, self)
        out, c = [], True
        for j in range(min(self.cap, o.cap)):
            c = AND(c, self.length > j, o.length > j, EQ(self.slots[j], o.slots[j]))
            out.append(c)
        return out

    def common(self, other: Any) -> Any:
        return COUNT(self.flags(other))

    def same(self, other: Any) -> Any:
        o = lift(other, self)
        longer = [NOT(o.length > j) for j in range(self.cap, o.cap)]
        return AND(EQ(self.length, o.length), *longer,
                   *(algebra.IMPLIES(self.length > j, EQ(self.slots[j], o.slots[j]))
                     for j in range(min(self.cap, o.cap))))

    def holds(self, lsn: Any, x: Any) -> Any:
        if type(lsn) is int:
            return AND(self.length >= lsn, EQ(self.slots[lsn - 1], x)) if 1 <= lsn <= self.cap else False
        return ANY(AND(EQ(lsn, j + 1), self.length > j, EQ(s, x)) for j, s in enumerate(self.slots))

    def items(self, lo: Any = 0, hi: Any = None) -> Iterator[tuple[Any, int, Any]]:
        for j, s in enumerate(self.slots):
            yield AND(self.length > j, j >= lo, True if hi is None else hi > j), j, s

    def sym_eq(self, other: Any) -> Any:
        return self.same(other)

    def sym_ite(self, c: Any, other: Any, mine_first: bool) -> "SymSeq":
        o = lift(other, self)
        a, b = (self, o) if mine_first else (o, self)
        return self._with(ITE(c, a.length, b.length), [ITE(c, x, y) for x, y in zip(a.slots, b.slots)])


def lift(x: Any, like: SymSeq) -> SymSeq:
    """A tuple (or SymSeq) as a SymSeq of `like`'s capacity and null."""
    if isinstance(x, SymSeq):
        return x
    if len(x) > like.cap:
        raise ValueError(f"a sequence of {len(x)} elements does not fit the scope's {like.cap}")
    slots = list(x) + [like.null] * (like.cap - len(x))
    return SymSeq(len(x), tuple(like._put(j, s) for j, s in enumerate(slots)), like.null, like.place)


@attrs.frozen(eq=False)
class SymLedger:
    """The distinct entries acknowledged at LSNs 1..L, at most K per LSN."""

    counts: tuple  # per LSN
    slots: tuple  # per LSN, K entries (null past the count)

    def add(self, lsn: int, entry: Any, when: Any = True) -> "SymLedger":
        i = lsn - 1
        if not 0 <= i < len(self.counts):
            _scope(NOT(when))
            return self
        n, here = self.counts[i], self.slots[i]
        present = ANY(AND(n > k, EQ(s, entry)) for k, s in enumerate(here))
        add = AND(when, NOT(present))
        _scope(NOT(AND(add, n >= len(here))))
        new = tuple(ITE(AND(add, EQ(n, k)), entry, s) for k, s in enumerate(here))
        return SymLedger(self.counts[:i] + (ITE(add, n + 1, n),) + self.counts[i + 1:],
                         self.slots[:i] + (new,) + self.slots[i + 1:])

    def items(self) -> Iterator[tuple[Any, int, Any]]:
        for i, here in enumerate(self.slots):
            for k, s in enumerate(here):
                yield self.counts[i] > k, i + 1, s

    def count(self, lsn: int) -> Any:
        return self.counts[lsn - 1] if 1 <= lsn <= len(self.counts) else 0

    def has(self, lsn: Any, entry: Any) -> Any:
        if type(lsn) is not int or not 1 <= lsn <= len(self.counts):
            return False
        n = self.counts[lsn - 1]
        return ANY(AND(n > k, EQ(s, entry)) for k, s in enumerate(self.slots[lsn - 1]))

    def first(self, lsn: int) -> tuple[Any, Any]:
        return self.counts[lsn - 1] >= 1, self.slots[lsn - 1][0]

    def lsns(self) -> range:
        return range(1, len(self.counts) + 1)

