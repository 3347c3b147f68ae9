"""The language the protocol is written in: values that may be symbolic.

Every step of the model (design.md §2-3) and every property is written once,
over values that are either plain Python values (a concrete run: the model
itself) or terms of a solver (a symbolic run: the engine that derives the Z3
transition relation from these same functions, dirproof/symbolic/). The
model does not know the solver: the symbolic engine installs a `Backend`
while it runs a step, and everything here falls back to plain Python when
no backend is installed.

The rules of the language, which a symbolic run enforces (a Z3 term refuses
to be used as a Python bool, a symbolic log has no `len`):

* state-dependent truth goes through `AND`, `OR`, `NOT`, `IMPLIES`, `EQ`,
  `ITE`; arithmetic and `<`, `<=` are plain operators;
* a guard is `require(condition, reason)`: a concrete run stops there with
  `Refused(reason)` (the step is rejected with that reason); a symbolic run
  adds the condition to the step's guard;
* control flow that depends on the state is `if branch(condition):`; an
  index taken from the state is made concrete by `choose(value, domain)`.
  A concrete run just evaluates them; a symbolic run explores each outcome
  (a path) and merges the paths;
* a property's verdict is built with `check(condition, why)` and `ALL`: a
  concrete run gives `True` or a `Fail` that says, in words, what broke.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Optional, Protocol, Union

import attrs


class Refused(Exception):
    """A guard of the step does not hold: the step is rejected with `reason`.

    Made as `Refused(reason)`; no __init__ of its own (Exception's sets
    `args`): a refusal is the model's commonest outcome, and a Python-level
    __init__ made raising one about a third dearer."""

    @property
    def reason(self) -> str:
        return self.args[0]


@attrs.frozen
class Fail:
    """A concrete verdict that is false, with the sentence that says why."""

    message: str

    def __bool__(self) -> bool:
        return False


Reason = Union[str, Callable[..., str]]


class Backend(Protocol):
    """What a symbolic engine provides while it runs a step (dirproof/symbolic)."""

    def is_term(self, x: Any) -> bool: ...
    def and_(self, xs: list) -> Any: ...
    def or_(self, xs: list) -> Any: ...
    def not_(self, x: Any) -> Any: ...
    def ite(self, c: Any, a: Any, b: Any) -> Any: ...
    def eq(self, a: Any, b: Any) -> Any: ...
    def assume(self, condition: Any) -> None: ...
    def decide(self, condition: Any) -> bool: ...
    def choose(self, value: Any, domain: tuple) -> Any: ...


_BACKEND: Optional[Backend] = None


def install(backend: Optional[Backend]) -> Optional[Backend]:
    """Install the symbolic backend for a symbolic run (None: concrete); returns the old one."""
    global _BACKEND
    old, _BACKEND = _BACKEND, backend
    return old


def symbolic() -> bool:
    """A symbolic run is in progress."""
    return _BACKEND is not None


def _term(x: Any) -> bool:
    return _BACKEND is not None and _BACKEND.is_term(x)


def _text(reason: Reason) -> str:
    return reason() if callable(reason) else reason


# --------------------------------------------------------------------------- guards and control

def require(condition: Any, reason: Reason) -> None:
    """A guard of the step: it is rejected with `reason` unless `condition` holds."""
    if condition is True:
        return
    if _BACKEND is None:  # a concrete run (the model itself): the hot path
        if not condition:
            raise Refused(reason() if callable(reason) else reason)
        return
    if _BACKEND.is_term(condition):
        _BACKEND.assume(condition)
        return
    if not condition:  # a symbolic run drops the path: its reason is never read
        raise Refused("refused")


def branch(condition: Any) -> bool:
    """The outcome of a state-dependent condition, for an `if`."""
    if condition is True or condition is False:
        return condition
    if _BACKEND is None:
        return bool(condition)
    if _BACKEND.is_term(condition):
        return _BACKEND.decide(condition)
    return bool(condition)


def choose(value: Any, domain: Iterable) -> Any:
    """`value` as a concrete member of `domain` (a replica, an epoch...)."""
    if _BACKEND is not None and _BACKEND.is_term(value):
        return _BACKEND.choose(value, tuple(domain))
    return value


def apart(fn: Callable[..., Any]) -> Any:
    """The verdict fn() with its own forks: a symbolic run explores fn's
    branches and choices on their own, instead of multiplying them with the
    caller's (a concrete run just calls fn)."""
    if _BACKEND is None:
        return fn()
    return _BACKEND.apart(fn)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- truth

def AND(*xs: Any) -> Any:
    if _BACKEND is None:  # a concrete run: the first false one, else True
        for x in xs:
            if x is not True and not x:
                return x if isinstance(x, Fail) else False
        return True
    terms = []
    for x in xs:
        if x is True:
            continue
        if _term(x):
            terms.append(x)
        elif not x:
            return x if isinstance(x, Fail) else False
    if not terms:
        return True
    return terms[0] if len(terms) == 1 else _BACKEND.and_(terms)


def OR(*xs: Any) -> Any:
    if _BACKEND is None:  # a concrete run: True at the first true one, else the last false one
        last: Any = False
        for x in xs:
            if x:
                return True
            last = x
        return last
    terms, last = [], False
    for x in xs:
        if _term(x):
            terms.append(x)
        elif x:
            return True
        else:
            last = x
    if not terms:
        return last
    return terms[0] if len(terms) == 1 else _BACKEND.or_(terms)


def NOT(x: Any) -> Any:
    if _BACKEND is None:
        return not x
    if _BACKEND.is_term(x):
        return _BACKEND.not_(x)
    return not x


def IMPLIES(a: Any, b: Any) -> Any:
    if a is False:
        return True
    if _BACKEND is None:  # a concrete run: OR(NOT(a), b) without the calls
        return True if not a or b else b
    return OR(NOT(a), b)


def ALL(xs: Iterable) -> Any:
    """AND over an iterable; a concrete run stops at the first false one."""
    if _BACKEND is None:
        for x in xs:
            if x is not True and not x:
                return x if isinstance(x, Fail) else False
        return True
    terms = []
    for x in xs:
        if x is True:
            continue
        if _term(x):
            terms.append(x)
        elif not x:
            return x if isinstance(x, Fail) else False
    return AND(*terms)


def ANY(xs: Iterable) -> Any:
    """OR over an iterable; a concrete run stops at the first true one."""
    if _BACKEND is None:
        for x in xs:
            if x:
                return True
        return False
    terms = []
    for x in xs:
        if _term(x):
            terms.append(x)
        elif x:
            return True
    return OR(*terms)


def check(condition: Any, why: Reason) -> Any:
    """A verdict: `condition`, and when a concrete run finds it false, why."""
    if condition is True or (_BACKEND is not None and _BACKEND.is_term(condition)):
        return condition
    return True if condition else Fail(_text(why))


def holds(verdict: Any) -> bool:
    """A concrete verdict is true (a `Fail` or False is not)."""
    return verdict is True or (not isinstance(verdict, Fail) and bool(verdict))


# --------------------------------------------------------------------------- values

def EQ(a: Any, b: Any) -> Any:
    """a == b, field by field for records and tuples."""
    if _BACKEND is None:
        return a is b or a == b  # (the model's values all equal themselves)
    if a is b:
        return True
    if isinstance(a, tuple) and isinstance(b, tuple):
        if len(a) != len(b):
            return False
        return AND(*(EQ(x, y) for x, y in zip(a, b)))
    rec = _record(type(a))
    if rec is not None and type(a) is type(b):
        return AND(*(EQ(getattr(a, name), getattr(b, name)) for name, _, eq, _ in rec if eq))
    if hasattr(a, "sym_eq"):
        return a.sym_eq(b)
    if hasattr(b, "sym_eq"):
        return b.sym_eq(a)
    if _term(a) or _term(b):
        return _BACKEND.eq(a, b)
    return a == b


_RECORDS: dict[type, Optional[tuple[tuple[str, str, bool, bool], ...]]] = {}


def _record(cls: type) -> Optional[tuple[tuple[str, str, bool, bool], ...]]:
    """(name, alias, eq, init) of each field of an attrs class (None for
    other types), looked up once per class: a symbolic run asks often."""
    try:
        return _RECORDS[cls]
    except KeyError:
        got = tuple((f.name, f.alias, f.eq, f.init) for f in attrs.fields(cls)) if attrs.has(cls) else None
        _RECORDS[cls] = got
        return got


def ITE(c: Any, a: Any, b: Any) -> Any:
    """a if c else b; for records and tuples, field by field."""
    if _BACKEND is None or c is True or c is False:
        return a if c else b
    if not _BACKEND.is_term(c):
        return a if c else b
    return _ite(c, a, b)


def _ite(c: Any, a: Any, b: Any) -> Any:
    if a is b:
        return a
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        return tuple(_ite(c, x, y) for x, y in zip(a, b))
    rec = _record(type(a))
    if rec is not None and type(a) is type(b):
        return type(a)(**{alias: _ite(c, getattr(a, name), getattr(b, name)) for name, alias, _, init in rec
                          if init})
    if hasattr(a, "sym_ite"):
        return a.sym_ite(c, b, True)
    if hasattr(b, "sym_ite"):
        return b.sym_ite(c, a, False)
    if not _term(a) and not _term(b) and type(a) is type(b) and a == b:
        return a
    return _BACKEND.ite(c, a, b)  # type: ignore[union-attr]


def MIN(a: Any, b: Any) -> Any:
    return ITE(a <= b, a, b)


def MAX(a: Any, b: Any) -> Any:
    return ITE(a >= b, a, b)


def COUNT(xs: Iterable) -> Any:
    """How many of the conditions hold."""
    if _BACKEND is None:
        return sum(1 for x in xs if x)
    total: Any = 0
    for x in xs:
        total = total + ITE(x, 1, 0)
    return total
