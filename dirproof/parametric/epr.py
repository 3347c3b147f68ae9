"""The quantifier-alternation lint: is every proof obligation in EPR?

A formula's sorts get an edge A -> B for every function (or constant
depending on variables) that produces a B from an A: each uninterpreted
function symbol with an argument of sort A and result sort B, and each
existential quantifier over B under a universal one over A, after moving
negations inward (an exists under a negation is a forall, and the two
sides of an equivalence count both ways). Skolemisation turns those into
functions; if the graph has no cycle, the Herbrand universe is finite and
the satisfiability of the obligation is decidable (the stratified
fragment mypyvy and Ivy use). A cycle is reported with the symbols or
quantifiers that make each edge.
"""

from __future__ import annotations

from typing import Any, Iterable

import z3

Edges = dict[tuple[str, str], set[str]]


def _add(edges: Edges, a: Any, b: Any, why: str) -> None:
    if a.kind() == z3.Z3_UNINTERPRETED_SORT and b.kind() == z3.Z3_UNINTERPRETED_SORT:
        edges.setdefault((a.name(), b.name()), set()).add(why)


def _walk(e: Any, pol: int, scope: tuple[Any, ...], edges: Edges, seen: set) -> None:
    """pol: +1 positive, -1 negative, 0 both (under an equivalence)."""
    key = (e.get_id(), pol, tuple(s.name() for s in scope))
    if key in seen:
        return
    seen.add(key)
    if z3.is_quantifier(e):
        sorts = [e.var_sort(k) for k in range(e.num_vars())]
        universal = pol == 0 or (pol > 0) == e.is_forall()
        existential = pol == 0 or (pol > 0) != e.is_forall()
        if existential:
            for u in scope:
                for s in sorts:
                    _add(edges, u, s, f"exists {s.name()} under forall {u.name()}")
        _walk(e.body(), pol, scope + tuple(sorts) if universal else scope, edges, seen)
        return
    if not z3.is_app(e):
        return
    d = e.decl()
    if d.kind() == z3.Z3_OP_UNINTERPRETED and d.arity() > 0:
        for k in range(d.arity()):
            _add(edges, d.domain(k), d.range(), f"function {d.name()}")
    children = e.children()
    if z3.is_not(e):
        _walk(children[0], -pol, scope, edges, seen)
    elif z3.is_implies(e):
        _walk(children[0], -pol, scope, edges, seen)
        _walk(children[1], pol, scope, edges, seen)
    elif z3.is_and(e) or z3.is_or(e):
        for ch in children:
            _walk(ch, pol, scope, edges, seen)
    elif z3.is_eq(e) and z3.is_bool(children[0]) or d.kind() in (z3.Z3_OP_XOR, z3.Z3_OP_DISTINCT):
        for ch in children:
            _walk(ch, 0, scope, edges, seen)
    elif z3.is_app_of(e, z3.Z3_OP_ITE):
        _walk(children[0], 0, scope, edges, seen)
        for ch in children[1:]:
            _walk(ch, pol, scope, edges, seen)
    else:
        for ch in children:
            _walk(ch, 0, scope, edges, seen)


def graph(formulas: Iterable[Any]) -> Edges:
    """The quantifier-alternation graph of formulas asserted together."""
    edges: Edges = {}
    seen: set = set()
    for f in formulas:
        _walk(f, 1, (), edges, seen)
    return edges


def cycle(edges: Edges) -> list[str]:
    """A cycle of sorts (first sort repeated at the end), or []."""
    succ: dict[str, list[str]] = {}
    for a, b in edges:
        succ.setdefault(a, []).append(b)
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(n: str) -> list[str]:
        state[n] = 1
        path.append(n)
        for m in sorted(succ.get(n, [])):
            if state.get(m) == 1:
                return path[path.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        path.pop()
        state[n] = 2
        return []
    for n in sorted(succ):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return []


def explain(edges: Edges, cyc: list[str]) -> str:
    steps = [f"{a} -> {b} ({'; '.join(sorted(edges[(a, b)]))})" for a, b in zip(cyc, cyc[1:])]
    return "quantifier-alternation cycle: " + ", ".join(steps)


class NotEPR(Exception):
    """An obligation leaves the stratified (EPR) fragment."""


def lint(formulas: Iterable[Any]) -> Edges:
    """The graph of the formulas; raise NotEPR naming a cycle if there is one."""
    edges = graph(formulas)
    cyc = cycle(edges)
    if cyc:
        raise NotEPR(explain(edges, cyc))
    return edges


def order(edges: Edges) -> list[str]:
    """The sorts in a topological order of the graph (docs/parametric.md)."""
    nodes = sorted({n for e in edges for n in e})
    out: list[str] = []
    while nodes:
        free = [n for n in nodes if not any(b == n and a in nodes and a != n for a, b in edges)]
        out.append(free[0])
        nodes.remove(free[0])
    return out
