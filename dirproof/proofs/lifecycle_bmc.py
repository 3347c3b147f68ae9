"""Bounded search over the object layer with a returning secondary (lifecycle.py).

`bmc_lifecycle(cfg, prop, depth)` finds the shortest path of fragment steps
(a write committed at once, a tick of any length, A2 catching up, the AP
collecting tombstones, A2 rebuilt) that breaks an object property, turns it
into model actions, replays it on the Python model (an
`EncodingDisagreement` if a step is refused there or nothing breaks), as
objects_proof.bmc_objects does for one history. The Z3 engine uses it for
the object properties of a design with a lifecycle flaw
(`rejoin-after-tombstone-lifetime`), where one history does not hold.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

import z3

from dirproof.interrupt import checked
from dirproof.model import Config
from dirproof.symbolic.terms import substitute

from . import lifecycle as L
from . import objects_state as S
from .bmc import BmcResult, Trace
from .objects_derive import fresh_inputs
from .objects_proof import decode_objects, search_levels


class LifeUnroller:
    """States s_0 .. s_k of the fragment from the initial state."""

    def __init__(self, cfg: Config, cap: int):
        self.cfg, self.cap = cfg, cap
        self.sys = L.life_system(cfg, cap)
        kinds = L.kinds(cfg, cap)
        init = L.flatten(cfg, L.initial(cfg, cap))
        self.states = [{k: z3.BoolVal(bool(v)) if kinds[k] == "bool" else z3.IntVal(int(v)) for k, v in init.items()}]
        self.sels: list = []
        self.inps: list = []
        _, self.post = L.fresh(cfg, cap, "lunroll!")
        self.sel = z3.Int("lunroll!sel")
        self.T = L.relation(self.sys, self.post, self.sel)
        self.solver = z3.Solver()

    def extend(self) -> None:
        k, sys = len(self.sels), self.sys
        _, nxt = L.fresh(self.cfg, self.cap, f"l{k + 1}!")
        sel, inp = z3.Int(f"la{k}!"), fresh_inputs(self.cfg, f"li{k}!")
        sub = [(sys.pre[key], self.states[k][key]) for key in sys.pre]
        sub += [(self.post[key], nxt[key]) for key in sys.pre] + [(self.sel, sel)]
        mine = [sys.inp.value, sys.inp.rday, *sys.inp.rattrs, sys.inp.days]
        sub += list(zip(mine, [inp.value, inp.rday, *inp.rattrs, inp.days]))
        self.solver.add(substitute(self.T, sub))
        self.states.append(nxt)
        self.sels.append(sel)
        self.inps.append(inp)

    def bad(self, prop: str, k: int) -> Any:
        return z3.Not(L.at(self.sys, L.form(self.sys, prop), self.states[k]))

    def check(self, goal: Any, timeout: Optional[float] = None) -> Any:
        flag = z3.FreshBool("lgoal")
        self.solver.add(z3.Implies(flag, goal))
        return checked(self.solver, flag, timeout=timeout)

    def path(self, m: z3.ModelRef) -> list:
        def val(x: Any) -> int:
            return m.eval(x, model_completion=True).as_long()
        return [(self.sys.acts[val(sel)], S.OInputs(val(i.value), val(i.rday), tuple(val(a) for a in i.rattrs),
                                                    val(i.days)))
                for sel, i in zip(self.sels, self.inps)]


def decode_lifecycle(cfg: Config, path: list, props: Sequence[str]) -> Trace:
    """Replay a fragment path as model actions, cut where one of `props`
    first breaks on the model."""
    return decode_objects(cfg, path, props, L, "lifecycle")


def bmc_lifecycle(cfg: Config, prop: Any, depth: int = 8, seconds: Optional[float] = None,
                  progress: Optional[Callable] = None) -> BmcResult:
    """The shortest path of fragment steps that breaks `prop` (an id or a
    tuple of ids), level by level, replayed on the model."""
    return search_levels(cfg, prop, LifeUnroller(cfg, depth), L, "lifecycle", depth, seconds, progress)
