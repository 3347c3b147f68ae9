"""How a transition states its post-state: point updates, definitions and the
frame (every mutable symbol a transition does not name keeps its value, as
mypyvy's `modifies` clause does)."""

from __future__ import annotations

from typing import Any, Callable, Iterable

import attrs
import z3

from .vocab import MUTABLE, Vocab, forall, var


@attrs.frozen
class Step:
    """A transition: its name, the design section, its parameters (free
    constants, existentially quantified), its formula over (pre, post) and the
    mutable symbols it may change."""

    name: str
    section: str
    params: tuple[Any, ...]
    formula: Any
    modifies: frozenset[str]

    def framed(self, pre: Vocab, post: Vocab) -> Any:
        return z3.And(self.formula, *frame(pre, post, self.modifies))


def args_of(name: str, prefix: str = "x") -> list[Any]:
    sorts, _ = MUTABLE[name]
    return [var(f"{prefix}{k}_{name}", s) for k, s in enumerate(sorts)]


def same(pre: Vocab, post: Vocab, name: str) -> Any:
    """`name` is unchanged."""
    old, new = pre.symbols[name], post.symbols[name]
    if not MUTABLE[name][0]:
        return new == old
    xs = args_of(name)
    return forall(xs, new(*xs) == old(*xs))


def frame(pre: Vocab, post: Vocab, modifies: Iterable[str]) -> list[Any]:
    mods = set(modifies)
    return [same(pre, post, n) for n in MUTABLE if n not in mods]


def define(pre: Vocab, post: Vocab, name: str, body: Callable[..., Any]) -> Any:
    """post.name(xs) == body(*xs) for all xs."""
    xs = args_of(name)
    return forall(xs, post.symbols[name](*xs) == body(*xs))


def at(pre: Vocab, post: Vocab, name: str, key: tuple[Any, ...], value: Any) -> Any:
    """post.name is pre.name except at `key` (a prefix of the arguments),
    where it is `value` (a term, or a function of the remaining arguments)."""
    xs = args_of(name)
    hit = z3.And(*(x == k for x, k in zip(xs, key)))
    val = value(*xs[len(key):]) if callable(value) else value
    return forall(xs, post.symbols[name](*xs) == z3.If(hit, val, pre.symbols[name](*xs)))


def latch(pre: Vocab, post: Vocab, name: str, bad: Any) -> Any:
    """A monitor latch: it stays set, and it is set only when `bad` held.

    Only the 'only when' direction is stated: the transition may leave it
    clear. That is a superset of the model's steps (which set it exactly
    when `bad`), so a proof that it stays clear covers the model, and it
    keeps `bad`'s existential out of a universal context (EPR).
    """
    old, new = pre.symbols[name], post.symbols[name]
    return z3.And(z3.Implies(old, new), z3.Implies(new, z3.Or(old, bad)))
