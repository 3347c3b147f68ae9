"""Sequences of the protocol: logs of entries, and the orchestrator's roles.

A concrete run keeps a sequence as a tuple. A symbolic run keeps it as a
bounded sequence of the solver (a length and a fixed number of slots,
dirproof/symbolic/seqs.py) that has the same operations as methods; these
functions dispatch between the two, so a step written with them works in
both runs. They are data-structure operations, not protocol: the protocol
is in the steps that use them. The two implementations are checked against
each other on every small case (tests/test_symbolic_seqs.py).

Positions are 0-based (`at(log, lsn - 1)` is the entry of LSN `lsn`).
Every operation is total: reading past the end gives `default`.
"""

from __future__ import annotations

from typing import Any, Iterator


def length(seq: Any) -> Any:
    return len(seq) if isinstance(seq, tuple) else seq.length


def at(seq: Any, i: Any, default: Any = None) -> Any:
    """The element at position i, or `default` outside the sequence."""
    if isinstance(seq, tuple) and type(i) is int:
        return seq[i] if 0 <= i < len(seq) else default
    return _sym(seq).get(i, default)


def last(seq: Any, default: Any = None) -> Any:
    return at(seq, length(seq) - 1, default)


def append(seq: Any, x: Any) -> Any:
    return seq + (x,) if isinstance(seq, tuple) else seq.append(x)


def prefix(seq: Any, n: Any) -> Any:
    """The first n elements (all of them if n is longer)."""
    if isinstance(seq, tuple) and type(n) is int:
        return seq[:max(n, 0)]
    return _sym(seq).prefix(n)


def extend(seq: Any, source: Any, upto: Any) -> Any:
    """`seq` extended with `source`'s elements after its own length, up to
    position `upto` (unchanged when it is already that long)."""
    if isinstance(seq, tuple) and isinstance(source, tuple) and type(upto) is int:
        return seq if len(seq) >= upto else seq + source[len(seq):upto]
    return _sym(seq).extend(source, upto)


def common(a: Any, b: Any) -> Any:
    """The length of the longest common prefix of two sequences."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        n = 0
        for x, y in zip(a, b):
            if x != y:
                break
            n += 1
        return n
    return _sym(a).common(b)


def same(a: Any, b: Any) -> Any:
    """The two sequences are equal."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return a == b
    return _sym(a).same(b)


def holds(log: Any, lsn: Any, entry: Any) -> Any:
    """`log` holds `entry` at LSN `lsn`."""
    if isinstance(log, tuple) and type(lsn) is int:
        return 1 <= lsn <= len(log) and log[lsn - 1] == entry
    return _sym(log).holds(lsn, entry)


def items(seq: Any, lo: Any = 0, hi: Any = None) -> Iterator[tuple[Any, int, Any]]:
    """(present, position, element) for the positions lo <= i < hi (and inside
    the sequence). A concrete run yields only the present ones."""
    if isinstance(seq, tuple) and type(lo) is int and (hi is None or type(hi) is int):
        top = len(seq) if hi is None else min(hi, len(seq))
        for i in range(max(lo, 0), top):
            yield True, i, seq[i]
        return
    yield from _sym(seq).items(lo, hi)


def _sym(seq: Any) -> Any:
    if isinstance(seq, tuple):
        from .algebra import _BACKEND
        if _BACKEND is None:
            raise TypeError("a symbolic index into a concrete sequence outside a symbolic run")
        return _BACKEND.lift(seq)  # type: ignore[attr-defined]
    return seq
