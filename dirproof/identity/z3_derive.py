"""The identity layer's transition relation, derived from its steps.

For every step of `ID_NEXT` (model/identity/next.py) and every tuple of its
enumerable arguments (a tick's minutes are an input: any number), the step
function itself runs on an identity state whose leaves are Z3 terms
(dirproof/symbolic/paths.py explores its branches and choices); its paths
are merged into one guard and one successor term per key
(dirproof/symbolic/derive.py `merge`), as the object layer's relation is
derived. The frame is derived: a key no path changes keeps its pre-state
term. Integers are unbounded (the clock grows without limit); the scope is
the layer's own: 3 keys, 2 slots, 2 principals, 2 evaluators.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional

import attrs
import z3

from dirproof.model import Config
from dirproof.model.algebra import AND, EQ, OR
from dirproof.model.identity import ID_NEXT, IdStepSpec, initial_id_state
from dirproof.model.identity.next import ID_INPUTS
from dirproof.model.identity.state import EVALUATORS, KEYS, PRINCIPALS, SLOTS, Acceptance, IdState, IdToken
from dirproof.symbolic import paths as P
from dirproof.symbolic.derive import merge
from dirproof.symbolic.terms import lit, numbers, substitute

SCOPE_TEXT = (f"identity scope: {len(KEYS)} keys, {SLOTS} token slots, {PRINCIPALS} principals, "
              f"{len(EVALUATORS)} evaluators, the clock unbounded")
Leaf = Callable[[str, bool], Any]  # (key, is_bool) -> term


def rebuild(cfg: Config, leaf: Leaf) -> IdState:
    """An identity state whose every leaf is leaf(key, is_bool)."""
    def record(cls: type, prefix: str) -> Any:
        return cls(**{f.name: leaf(f"{prefix}.{f.name}", isinstance(f.default, bool)) for f in attrs.fields(cls)})
    return IdState(cfg, now=leaf("now", False), primary_up=leaf("primary_up", True),
                   published=tuple(leaf(f"published[{k}]", True) for k in range(len(KEYS))),
                   tokens=tuple(record(IdToken, f"tokens[{s}]") for s in range(SLOTS)),
                   revoked=tuple(leaf(f"revoked[{p}]", True) for p in range(PRINCIPALS)),
                   revoked_at=tuple(leaf(f"revoked_at[{p}]", False) for p in range(PRINCIPALS)),
                   seen=tuple(tuple(leaf(f"seen[{e}][{p}]", True) for p in range(PRINCIPALS))
                              for e in range(len(EVALUATORS))),
                   last=record(Acceptance, "last"))


def flatten(state: IdState) -> dict:
    """key -> value of every leaf (the keys of `rebuild`)."""
    out: dict = {"now": state.now, "primary_up": state.primary_up}
    out.update({f"published[{k}]": v for k, v in enumerate(state.published)})
    for s, tok in enumerate(state.tokens):
        out.update({f"tokens[{s}].{f.name}": getattr(tok, f.name) for f in attrs.fields(IdToken)})
    out.update({f"revoked[{p}]": v for p, v in enumerate(state.revoked)})
    out.update({f"revoked_at[{p}]": v for p, v in enumerate(state.revoked_at)})
    out.update({f"seen[{e}][{p}]": v for e, row in enumerate(state.seen) for p, v in enumerate(row)})
    out.update({f"last.{f.name}": getattr(state.last, f.name) for f in attrs.fields(Acceptance)})
    return out


def fresh(cfg: Config, prefix: str) -> tuple[IdState, dict]:
    """A symbolic identity state of fresh constants `<prefix><key>`, and its keys."""
    st = rebuild(cfg, lambda k, b: z3.Bool(prefix + k) if b else z3.Int(prefix + k))
    return st, flatten(st)


def as_term(x: Any) -> Any:
    return lit(x) if isinstance(x, (bool, int)) else x


def values_of(state: IdState) -> dict:
    """A concrete identity state as Z3 literals per key."""
    return {k: as_term(v) for k, v in flatten(state).items()}


@attrs.frozen
class IdAct:
    """One action of the relation: a step and its enumerable arguments."""

    spec: IdStepSpec
    args: tuple

    @property
    def name(self) -> str:
        return self.spec.name

    def action(self, minutes: Optional[int] = None) -> Any:
        """The model's action (a tick takes its minutes from the solver's model)."""
        vals, it = [], iter(self.args)
        for kind in self.spec.over:
            vals.append(minutes if kind in ID_INPUTS else next(it))
        return self.spec.action(*vals)

    def run(self, state: IdState, minutes: Any) -> IdState:
        vals, it = [], iter(self.args)
        for kind in self.spec.over:
            vals.append(minutes if kind in ID_INPUTS else next(it))
        out: Any = self.spec.run(state, *vals)
        return out


def acts(cfg: Config) -> tuple[IdAct, ...]:
    return tuple(IdAct(s, args) for s in ID_NEXT for args in s.arguments(cfg))


@attrs.frozen(eq=False)
class IdSystem:
    """The derived relation: per action its guard and successor over `pre`."""

    cfg: Config
    acts: tuple
    pre: dict
    state: IdState
    minutes: Any
    cases: tuple  # (guard, post keys) per action

    def relation(self, post: dict, sel: Any) -> Any:
        """T(pre, post): `sel` (an Int) is the index in `acts` of the action taken."""
        with numbers(None, None), P.active():
            return OR(*(AND(sel == j, self.cases[j][0], *(EQ(post[k], v) for k, v in self.cases[j][1].items()))
                        for j in range(len(self.acts))))

    def at(self, term: Any, keys: dict, minutes: Any = None) -> Any:
        """`term` (over `pre`) with every pre-state key replaced by `keys[key]`."""
        pairs = [(self.pre[k], as_term(keys[k])) for k in self.pre if z3.is_expr(self.pre[k])]
        if minutes is not None:
            pairs.append((self.minutes, as_term(minutes)))
        return substitute(term, pairs)


def derive_paths(flatten: Callable[[Any], dict], act: IdAct, state: Any, pre: dict, minutes: Any
                 ) -> tuple[Any, dict]:
    """(guard, successor keys) of one action of a side machine from its
    symbolic pre-state: the step's paths merged (`flatten`: its state's keys)."""
    with numbers(None, None):
        found = P.run(lambda: act.run(state, minutes))
        with P.active():
            cases = [(p.condition, AND(p.guard, p.scope), flatten(p.result)) for p in found]
            return merge(pre, cases) if cases else (False, pre)


def system_of(cfg: Config, fresh: Callable[[Config, str], tuple[Any, dict]], all_acts: tuple, run: Callable,
              timed: bool) -> IdSystem:
    """A side machine's relation: every action derived by `run` from a fresh
    symbolic state (`timed`: its tick reads the solver's minutes)."""
    state, pre = fresh(cfg, "")
    minutes = z3.Int("minutes")
    cases = tuple(run(a, state, pre, minutes if timed else None) for a in all_acts)
    return IdSystem(cfg, all_acts, pre, state, minutes, cases)


def derive(act: IdAct, state: IdState, pre: dict, minutes: Any) -> tuple[Any, dict]:
    """(guard, successor keys) of one action from the symbolic pre-state."""
    return derive_paths(flatten, act, state, pre, minutes)


@functools.lru_cache(maxsize=8)
def id_system(cfg: Config, run: Optional[Callable] = None) -> IdSystem:
    """The relation of `cfg` (cached); `run` replaces derive (tests: a wrong translation)."""
    return system_of(cfg, fresh, acts(cfg), run or derive, timed=True)


def form(fn: Callable[[IdState], Any], state: IdState, allows: Optional[Callable] = None) -> Any:
    """A verdict or invariant written in the model's language, as one Z3 term over `state`."""
    with numbers(None, None):
        t = P.evaluate(lambda: fn(state), allows)
    return z3.BoolVal(t) if isinstance(t, bool) else t


def initial_keys(cfg: Config) -> dict:
    return values_of(initial_id_state(cfg))
