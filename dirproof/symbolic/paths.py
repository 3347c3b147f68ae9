"""Running a model function on a symbolic state: paths, forks and guards.

`explore(fn)` calls `fn()` (a step, or a property) with this module's
`Runner` installed as the backend of model/algebra.py, once per path: where
the function branches on a symbolic condition (`branch`) or makes a
symbolic index concrete (`choose`), the runner takes one outcome and
remembers the others, and runs the function again for each of them (a
depth-first walk of the decision tree). A path records the decisions taken
(its path condition), the guards the step required (`require`), the scope
bounds its sequences needed (`within_scope`) and the result. A path that
hits a guard that is false outright (`Refused`) is dropped: under its
condition the step is rejected. Within one path the same term is decided
once: asking again gives the same answer without a new fork.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import attrs

from dirproof.model import algebra
from dirproof.model.algebra import AND, EQ, NOT, OR, Refused

from . import terms


@attrs.frozen
class Path:
    condition: Any  # the decisions taken
    guard: Any  # what the step required along the path
    scope: Any  # what its sequences needed to stay within the scope
    result: Any


class Runner:
    """The symbolic backend of model/algebra.py for one exploration."""

    is_term = staticmethod(terms.is_term)

    # Terms built on a path fold what the path has decided or chosen: after
    # `choose(ap)` took replica 1, `EQ(ap, 1)` is True there, and an `ITE`
    # on a decided condition is its branch (smaller terms, same meaning
    # under the path's condition, which is all a path's result is used under).
    def _fold(self, x: Any) -> Any:
        if self.memo and terms.is_term(x):
            i = x.get_id()
            got = self.memo.get(("c", i))
            if got is not None:
                return got
            got = self.memo.get(("d", i))
            if got is not None:
                return got
        return x

    def and_(self, xs: list) -> Any:
        kept = []
        for x in map(self._fold, xs):
            if x is False:
                return False
            if x is not True:
                kept.append(x)
        return True if not kept else kept[0] if len(kept) == 1 else terms.and_(kept)

    def or_(self, xs: list) -> Any:
        kept = []
        for x in map(self._fold, xs):
            if x is True:
                return True
            if x is not False:
                kept.append(x)
        return False if not kept else kept[0] if len(kept) == 1 else terms.or_(kept)

    def not_(self, x: Any) -> Any:
        x = self._fold(x)
        return (not x) if isinstance(x, bool) else terms.not_(x)

    def ite(self, c: Any, a: Any, b: Any) -> Any:
        c = self._fold(c)
        if isinstance(c, bool):
            return a if c else b
        return terms.ite(c, a, b)

    def eq(self, a: Any, b: Any) -> Any:
        a, b = self._fold(a), self._fold(b)
        if not terms.is_term(a) and not terms.is_term(b):
            return a == b
        return terms.eq(a, b)

    def __init__(self, allows: Optional[Callable[[Any, Any], Any]] = None, memo: Optional[dict] = None):
        self._allows = allows
        self.base = dict(memo or {})  # choices an enclosing run has made on this path
        self.prefix: list[int] = []
        self.todo: list[list[int]] = []
        self.memo: dict = dict(self.base)
        # The memo is keyed by term ids, which Z3 reuses once a term is
        # freed: every term it names is kept alive for the whole run.
        self.alive: list = []

    # the per-path record
    def _start(self, prefix: list[int]) -> None:
        self.prefix, self.pos = prefix, 0
        self.taken: list[int] = []
        self.pc: list = []
        self.guards: list = []
        self.bounds: list = []
        self.memo = dict(self.base)

    def _next(self, n: int) -> int:
        if self.pos < len(self.prefix):
            k = self.prefix[self.pos]
        else:
            k = 0
            self.todo.extend(self.taken + [j] for j in range(n - 1, 0, -1))
        self.pos += 1
        self.taken.append(k)
        return k

    # the Backend protocol
    def assume(self, condition: Any) -> None:
        self.guards.append(condition)

    def within_scope(self, condition: Any) -> None:
        self.bounds.append(condition)

    def decide(self, condition: Any) -> bool:
        key = ("d", condition.get_id())
        if key in self.memo:
            return self.memo[key]
        # A condition whose complement was decided on this path (`c < n`
        # after `c >= n`) is decided too: no fork into an infeasible path.
        others = terms.complements(condition)
        self.alive += [condition, *others]
        for other in others:
            known = self.memo.get(("d", other.get_id()))
            if known is not None:
                self.memo[key] = not known
                return not known
        k = self._next(2)
        self.pc.append(condition if k == 0 else NOT(condition))
        self.memo[key] = k == 0
        for other in others:
            self.memo[("d", other.get_id())] = k != 0
        return k == 0

    def choose(self, value: Any, domain: tuple) -> Any:
        key = ("c", value.get_id())
        if key in self.memo:
            return self.memo[key]
        self.alive.append(value)
        k = self._next(len(domain))
        self.pc.append(EQ(value, domain[k]))
        self.memo[key] = domain[k]
        return domain[k]

    def lift(self, seq: tuple) -> Any:
        raise TypeError("a concrete sequence was indexed symbolically: give it a symbolic form first")

    def allows(self, state: Any, action: Any) -> Any:
        if self._allows is None:
            raise TypeError("`allows` needs the step relation: run this under dirproof.symbolic.derive")
        return self._allows(state, action)

    def apart(self, fn: Callable[[], Any]) -> Any:
        found = Runner(self._allows, self.memo).explore(fn)
        return truth(found)

    def explore(self, fn: Callable[[], Any]) -> list[Path]:
        paths: list[Path] = []
        self.todo = [[]]
        old = algebra.install(self)
        try:
            while self.todo:
                self._start(self.todo.pop())
                try:
                    result = fn()
                except Refused:
                    continue
                self.memo = {}  # the path's own decisions must not fold its condition to True
                paths.append(Path(AND(*self.pc), AND(*self.guards), AND(*self.bounds), result))
            return paths
        finally:
            algebra.install(old)


def run(fn: Callable[..., Any], allows: Optional[Callable[[Any, Any], Any]] = None,
        memo: Optional[dict] = None) -> list[Path]:
    """Every path of fn() on symbolic values (see the module doc); `memo`:
    the choices an enclosing run has made."""
    return Runner(allows, memo).explore(fn)


def enclosing_memo() -> Optional[dict]:
    """The choices of the run in progress (None outside a run)."""
    b = algebra._BACKEND
    return dict(b.memo) if isinstance(b, Runner) and not isinstance(b, Terms) else None


def truth(paths: list[Path]) -> Any:
    """The truth of a symbolic verdict over its paths (each path's condition
    excludes the others, and together they cover every case)."""
    with active():
        return OR(*(AND(p.condition, p.result) for p in paths))


def evaluate(fn: Callable[[], Any], allows: Optional[Callable[[Any, Any], Any]] = None) -> Any:
    """A property or invariant written in the model's language, as one Z3 term."""
    return truth(run(fn, allows))


class Terms(Runner):
    """The backend for building terms outside a step: no forks, no guards."""

    def decide(self, condition: Any) -> bool:
        raise TypeError("a symbolic branch outside a step run")

    def choose(self, value: Any, domain: tuple) -> Any:
        raise TypeError("a symbolic choice outside a step run")

    def assume(self, condition: Any) -> None:
        raise TypeError("a guard outside a step run")

    def within_scope(self, condition: Any) -> None:
        raise TypeError("a scope bound outside a step run")


class active:
    """`with active():` the algebra builds Z3 terms (outside a step run)."""

    def __enter__(self) -> "active":
        self.old = algebra.install(Terms())
        return self

    def __exit__(self, *exc: Any) -> None:
        algebra.install(self.old)
