"""A counterexample to induction as a small readable structure: which
replicas, which log entries, which epochs (as mypyvy prints a state).

Epochs and LSNs are named by their rank in the model's order (e0 < e1 < ...,
LSN 0, 1, ...), the other elements by sort letter and number.
"""

from __future__ import annotations

from itertools import product
from typing import Any, Optional

import z3

from .frames import Step
from .vocab import CLIENT, E0, EPOCH, I0, INDEX, LE_E, LE_I, LOGICAL, REGION, REGION_OF, REPLICA, VALUE, Vocab


class Names:
    """Readable names for the elements of a model's finite sorts."""

    def __init__(self, m: z3.ModelRef) -> None:
        self.m = m
        self.univ: dict[Any, list[Any]] = {}
        self.name: dict[str, str] = {}
        for sort, letter in ((REPLICA, "r"), (REGION, "g"), (VALUE, "v"), (CLIENT, "s"), (LOGICAL, "l")):
            elems = self._universe(sort)
            self.univ[sort] = elems
            for k, x in enumerate(elems):
                self.name[str(x)] = f"{letter}{k + 1}"
        for sort, le, letter in ((EPOCH, LE_E, "e"), (INDEX, LE_I, "")):
            elems = sorted(self._universe(sort), key=lambda x: sum(self.true(le(y, x)) for y in self._universe(sort)))
            self.univ[sort] = elems
            for k, x in enumerate(elems):
                self.name[str(x)] = f"{letter}{k}"

    def _universe(self, sort: Any) -> list[Any]:
        u = self.m.get_universe(sort)
        return list(u) if u is not None else []

    def true(self, f: Any) -> bool:
        return z3.is_true(self.m.eval(f, model_completion=True))

    def of(self, t: Any) -> str:
        x = self.m.eval(t, model_completion=True)
        return self.name.get(str(x), str(x))


def state(n: Names, V: Vocab) -> list[str]:
    """The lines that describe one state."""
    R, E, I, Vs = n.univ[REPLICA], n.univ[EPOCH], n.univ[INDEX], n.univ[VALUE]
    lines = [f"epoch {n.of(V.cur)}; roles: " + "; ".join(
        f"{n.name[str(e)]} AP {' '.join(n.name[str(r)] for r in R if n.true(V.ap(e, r))) or '-'}"
        f" PP {' '.join(n.name[str(r)] for r in R if n.true(V.pp(e, r))) or '-'}"
        for e in E if any(n.true(V.ap(e, r)) or n.true(V.pp(e, r)) for r in R))]
    lines.append(f"PP in sync: {n.true(V.in_sync)}; budget guards ({n.of(V.gA)}, {n.of(V.gP)}), "
                 f"pending {n.true(V.pending)}, exceeded {n.true(V.exceeded)}")
    for r in R:
        log = [f"{n.name[str(i)]}:({n.name[str(e)]},{n.name[str(v)]})" for i, e, v in product(I, E, Vs)
               if n.true(V.log(r, i, e, v))]
        lines.append(f"{n.name[str(r)]} (region {n.of(REGION_OF(r))}) {'up' if n.true(V.up(r)) else 'down'}, "
                     f"epoch {n.of(V.ep(r))}, len {n.of(V.len(r))}, commit {n.of(V.commit(r))}, "
                     f"flushed {n.of(V.flushed(r))}, "
                     f"log [{' '.join(log)}]")
    cuts = [f"{n.name[str(a)]}|{n.name[str(b)]}" for a in R for b in R
            if str(a) < str(b) and n.true(V.cut(a, b))]
    lines.append(f"cut links: {' '.join(cuts) or 'none'}")
    acked = [f"{n.name[str(i)]}:({n.name[str(e)]},{n.name[str(v)]})" for i, e, v in product(I, E, Vs)
             if n.true(V.acked(i, e, v))]
    lines.append(f"acknowledged: [{' '.join(acked)}]")
    for s in n.univ[CLIENT]:
        lines.append(f"{n.name[str(s)]} at {n.of(V.aff(s))}, token LSN {n.of(V.tok(s))}, logical {n.of(V.curl(s))}; "
                     f"last read in {n.of(V.rl(s))} saw up to LSN {n.of(V.longest(s))}")
    latches = [x for x in ("bad_regions", "bad_ryw", "bad_mono", "bad_lost", "bad_causal") if n.true(V.symbols[x])]
    lines.append(f"monitor latches set: {' '.join(latches) or 'none'}")
    return lines


def cti(model: z3.ModelRef, pre: Vocab, post: Optional[Vocab] = None, step: Optional[Step] = None) -> str:
    """A counterexample to induction (or to initiation, or to a property) in words."""
    n = Names(model)
    out = [f"orders: epochs {' < '.join(n.name[str(e)] for e in n.univ[EPOCH])} (e0 = {n.of(E0)}), "
           f"LSNs {' < '.join(n.name[str(i)] for i in n.univ[INDEX])} (LSN 0 = {n.of(I0)})"]
    if step is not None:
        out.append(f"step {step.name}(" + ", ".join(f"{p}={n.of(p)}" for p in step.params) + ")")
    out.append("before:" if post is not None else "state:")
    out += ["  " + line for line in state(n, pre)]
    if post is not None:
        out.append("after:")
        out += ["  " + line for line in state(n, post)]
    return "\n".join(out)
