"""A counterexample to induction of the object layer's form as a small
readable structure: which objects with which status, attributes, deletion
days and memberships, which snapshots, which days and where retention ends.

Days are named by their rank in the order (d0 < d1 < ...), other elements
by sort letter and number (objects o1.., attribute vectors a1.. with the
default `dflt`, snapshots s1.., kinds by `user`, `group` or k1..).
"""

from __future__ import annotations

from typing import Any, Optional

import z3

from .objvocab import AVEC, DAY, DFLT, EXPIRED, EXPIRED1, GROUP, KIND, KIND_OF, LE_D, OBJ, SNAP, USER, OVocab


class ONames:
    def __init__(self, m: z3.ModelRef) -> None:
        self.m = m
        self.univ: dict[Any, list[Any]] = {}
        self.name: dict[str, str] = {}
        for sort, letter in ((OBJ, "o"), (AVEC, "a"), (SNAP, "s"), (KIND, "k")):
            self.univ[sort] = self._universe(sort)
            for k, x in enumerate(self.univ[sort]):
                self.name[str(x)] = f"{letter}{k + 1}"
        days = self._universe(DAY)
        self.univ[DAY] = sorted(days, key=lambda x: sum(self.true(LE_D(y, x)) for y in days))
        for k, x in enumerate(self.univ[DAY]):
            self.name[str(x)] = f"d{k}"
        for const, word in ((DFLT, "dflt"), (USER, "user"), (GROUP, "group")):
            self.name[str(self.m.eval(const, model_completion=True))] = word

    def _universe(self, sort: Any) -> list[Any]:
        u = self.m.get_universe(sort)
        return list(u) if u is not None else []

    def true(self, f: Any) -> bool:
        return z3.is_true(self.m.eval(f, model_completion=True))

    def of(self, t: Any) -> str:
        x = self.m.eval(t, model_completion=True)
        return self.name.get(str(x), str(x))


def _record(n: ONames, V: OVocab, pp: bool, o: Any) -> str:
    v = V.view(pp)
    st = n.of(v.st(o))
    text = f"{st} attrs {n.of(v.at(o))} born {n.of(v.born(o))}"
    if st == "soft":
        text += f" deleted {n.of(v.dd(o))}"
    groups = [n.of(g) for g in n.univ[OBJ] if n.true(v.lk(o, g))]
    return text + (f" member of {', '.join(groups)}" if groups else "")


def _ghost(n: ONames, V: OVocab, o: Any) -> str:
    parts = []
    if n.true(V.sd(o)):
        parts.append(f"last soft delete {n.of(V.sdd(o))}" + (f" from attrs {n.of(V.bef(o))}" if n.true(V.bs(o)) else ""))
    if n.true(V.dlx(o)):
        parts.append(f"tracked since {n.of(V.dl(o))}")
    if n.true(V.tomb(o)):
        parts.append("tombstone (purge)" if n.true(V.pg(o)) else "tombstone (permanent delete)")
    return "; ".join(parts)


def state(n: ONames, V: OVocab) -> list[str]:
    lines = [f"day {n.of(V.today)}"]
    for o in n.univ[OBJ]:
        ap, pp = _record(n, V, False, o), _record(n, V, True, o)
        ghost = _ghost(n, V, o)
        lines.append(f"{n.of(o)} ({n.of(KIND_OF(o))}) AP: {ap}" + ("" if pp == ap else f" | PP: {pp}")
                     + (f" [{ghost}]" if ghost else ""))
    for s in n.univ[SNAP]:
        if n.true(V.kept(s)):
            held = ", ".join(f"{n.of(o)} {n.of(V.sst(s, o))} {n.of(V.sat(s, o))}" for o in n.univ[OBJ])
            lines.append(f"snapshot {n.of(s)} of day {n.of(V.sday(s))}: {held}")
    latches = [x for x in ("early", "restore", "unretained", "unlinked") if n.true(V.symbols[x])]
    if latches:
        lines.append("monitor latches set: " + ", ".join(latches))
    return lines


def cti(m: z3.ModelRef, pre: OVocab, post: Optional[OVocab] = None, step: Any = None) -> str:
    n = ONames(m)
    days = n.univ[DAY]
    ended = [f"{n.of(a)}->{n.of(b)}" for a in days for b in days if n.true(EXPIRED(a, b))]
    ended1 = [f"{n.of(a)}->{n.of(b)}" for a in days for b in days if n.true(EXPIRED1(a, b))]
    lines = [f"days {' < '.join(n.of(d) for d in days)}; retention ended (deleted -> by): "
             f"{', '.join(ended) or 'never'}; retention - 1 days passed: {', '.join(ended1) or 'never'}"]
    if step is not None:
        params = ", ".join(f"{str(p).split('_')[0]}={n.of(p)}" for p in step.params)
        lines.append(f"step {step.name}({params})")
    lines.append("before:" if post is not None else "state:")
    lines += ["  " + x for x in state(n, pre)]
    if post is not None:
        lines.append("after:")
        lines += ["  " + x for x in state(n, post)]
    return "\n".join(lines)
