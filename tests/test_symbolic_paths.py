"""The path explorer's shortcuts (dirproof/symbolic/paths.py), which make the
derived relation smaller (docs/z3.md, Speed), keep its meaning:

* a condition whose complement was decided on the path (`a >= b` after
  `a < b`) is decided too, and no infeasible path is explored;
* a term built on a path folds what the path chose or decided (after
  `choose(v)` took 1, `EQ(v, 1)` is True there);
* but the path's own condition is never folded by its own decisions: it
  stays the conjunction of what was decided. Folding it (the first version
  of this shortcut did) makes every path's condition True, and a derived
  relation then proves false things; `test_a_folded_path_condition_is_caught`
  shows this test sees it.
"""

import z3

from dirproof.model.algebra import EQ, ITE, branch, choose
from dirproof.symbolic import paths as P
from dirproof.symbolic.terms import numbers

X, Y, V = z3.BitVec("x", 6), z3.BitVec("y", 6), z3.BitVec("v", 6)


def _both_orders():
    out = []
    if branch(X < Y):
        out.append("lt")
    if branch(X >= Y):  # the complement: decided by the first branch
        out.append("ge")
    return tuple(out)


def _chosen():
    v = choose(V, (0, 1, 2))
    return v, EQ(V, 1), ITE(EQ(V, 2), X, Y)


def _chosen_then_branched():
    v = choose(V, (0, 1))
    return (v, "lt") if branch(X < Y) else (v, "ge")


def valid(claim) -> bool:
    s = z3.Solver()
    s.add(z3.Not(claim))
    return s.check() == z3.unsat


def test_a_decided_complement_forks_no_path():
    with numbers(6):
        found = P.run(_both_orders)
    assert sorted(p.result for p in found) == [("ge",), ("lt",)]


def test_a_path_folds_what_it_chose():
    with numbers(6):
        found = P.run(_chosen)
    by_choice = {p.result[0]: p for p in found}
    assert set(by_choice) == {0, 1, 2}
    assert by_choice[1].result[1] is True and by_choice[0].result[1] is False
    assert by_choice[2].result[2] is X and by_choice[0].result[2] is Y


def path_conditions_are_kept(found) -> bool:
    """Each path's condition pins its choice, and the conditions exclude each other."""
    with P.active():
        conds = [z3.simplify(P.terms.to_z3(p.condition)) for p in found]
    pinned = all(valid(z3.Implies(c, V == p.result[0])) for c, p in zip(conds, found))
    apart = all(not z3.is_true(z3.simplify(z3.And(a, b))) and valid(z3.Not(z3.And(a, b)))
                for i, a in enumerate(conds) for b in conds[i + 1:])
    return pinned and apart


def test_each_path_keeps_its_own_condition():
    with numbers(6):
        found = P.run(_chosen_then_branched)
    assert len(found) == 4
    assert path_conditions_are_kept(found)


def _explore_without_reset(self, fn):
    """Runner.explore as the first version of the shortcut had it: the path's
    record built while its decisions are still in the memo."""
    found = []
    self.todo = [[]]
    old = P.algebra.install(self)
    try:
        while self.todo:
            self._start(self.todo.pop())
            try:
                result = fn()
            except P.Refused:
                continue
            found.append(P.Path(P.AND(*self.pc), P.AND(*self.guards), P.AND(*self.bounds), result))
        return found
    finally:
        P.algebra.install(old)


def test_a_folded_path_condition_is_caught(monkeypatch):
    monkeypatch.setattr(P.Runner, "explore", _explore_without_reset)
    with numbers(6):
        found = P.run(_chosen_then_branched)
    assert not path_conditions_are_kept(found)
