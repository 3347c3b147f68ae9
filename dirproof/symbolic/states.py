"""Model states with Z3 terms in their fields, and their flat form.

A symbolic state is a `dirproof.model.State` (with the monitors' `Ghost`)
whose leaves are Z3 terms and whose logs and roles are bounded sequences
(seqs.py), so the model's step functions run on it unchanged. `walk`
rebuilds a state leaf by leaf; from it come the fresh symbolic state of a
configuration and scope (`fresh`), the flat key -> term form used to state
the transition relation and its frame (`flatten`), the abstraction of a
concrete model state into values of those keys (`abstract`), and back, a
model state from a solver's values (`concretize`, to show a counterexample
to induction as model states). Keys are the paths of the fields:
`replicas[0].log[2].epoch`, `orchestrator.roles.length`, `ghost.acked[1][0].session`.

The replication encoding leaves out what only the object layer reads (the
clock, the snapshots, an entry's payload beyond its identity: the object
layer has its own encoding) and the history (the monitors' ghost stands
for it). An entry's LSN is its position.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import attrs

from dirproof.model import NULL_ENTRY, Config, Entry, Orchestrator, Replica, Session, State, Write, initial_state
from dirproof.model.state import NO_ROLE
from dirproof.properties.monitors import LATCHES, Ghost, Handed, Ledger, Read, fresh as fresh_ghost

from .seqs import SymLedger, SymSeq
from .terms import is_term


class OutOfScope(ValueError):
    """A concrete state that the encoding of this scope cannot represent."""


@attrs.frozen
class Scope:
    """The bounds of the encoding, besides the configuration's replicas and sessions."""

    log: int = 3  # L: the longest log
    epochs: int = 3  # E: the highest epoch
    slots: int = 2  # K: distinct acknowledged entries remembered per LSN

    def text(self) -> str:
        return f"logs <= {self.log}, epochs <= {self.epochs}"


# the tombstone lifetime's time fields (model/tombstones.py) are left out
# with the clock: the encoding keeps their initial values
SKIP = {State: ("config", "history", "day", "snapshots", "contact", "collected"), Entry: ("lsn",)}
BIG = {(Entry, "write"), (Entry, "logical"), (Session, "logical"), (Read, "logical"), (Handed, "logical")}
SEQS = {(Replica, "log"): "log", (Orchestrator, "roles"): "epochs"}

Leaf = Callable[[str, str, Any], Any]  # (key, kind, value) -> new value; kind: "bool", "int", "big"


def _place_entry(j: int, e: Any) -> Any:
    return attrs.evolve(e, lsn=j + 1) if isinstance(e, Entry) else e


def _null(which: str) -> Any:
    return NULL_ENTRY if which == "log" else NO_ROLE


def _kind(owner: Optional[type], field: str, value: Any) -> str:
    if (owner, field) in BIG:
        return "big"
    if isinstance(value, bool) or (owner is Ghost and field in LATCHES) or (owner is None and field == "bool"):
        return "bool"
    return "int"


def walk(x: Any, fn: Leaf, scope: Scope, path: str = "", owner: Optional[type] = None, field: str = "") -> Any:
    """x rebuilt with every leaf replaced by fn(key, kind, value)."""
    if attrs.has(type(x)):
        cls = type(x)
        skip = SKIP.get(cls, ())
        out = {}
        for f in attrs.fields(cls):
            v = getattr(x, f.name)
            key = f"{path}.{f.name}" if path else f.name
            if f.name in skip:
                out[f.alias] = v
            elif (cls, f.name) in SEQS:
                out[f.alias] = _walk_seq(v, fn, scope, key, SEQS[(cls, f.name)])
            elif (cls, f.name) in BIG:
                out[f.alias] = fn(key, "big", v)
            elif cls is Ghost and f.name == "acked":
                out[f.alias] = _walk_ledger(v, fn, scope, key)
            else:
                out[f.alias] = walk(v, fn, scope, key, cls, f.name)
        return cls(**out)
    if isinstance(x, tuple):
        return tuple(walk(v, fn, scope, f"{path}[{i}]", owner, field) for i, v in enumerate(x))
    return fn(path, _kind(owner, field, x), x)


def _walk_seq(v: Any, fn: Leaf, scope: Scope, key: str, which: str) -> SymSeq:
    cap = scope.log if which == "log" else scope.epochs
    null = _null(which)
    place = _place_entry if which == "log" else None
    if isinstance(v, SymSeq):
        length, slots = v.length, v.slots
    else:
        if len(v) > cap:
            raise OutOfScope(f"{key} has {len(v)} elements > {cap}")
        length, slots = len(v), tuple(v) + (null,) * (cap - len(v))
    new = [walk(_place_entry(j, s) if place else s, fn, scope, f"{key}[{j}]", None, "") for j, s in enumerate(slots)]
    return SymSeq(fn(f"{key}.length", "int", length), tuple(new), null, place)


def _walk_ledger(v: Any, fn: Leaf, scope: Scope, key: str) -> SymLedger:
    L, K = scope.log, scope.slots
    if isinstance(v, SymLedger):
        counts, slots = v.counts, v.slots
    else:
        if len(v.slots) > L:
            raise OutOfScope(f"an entry was acknowledged at LSN {len(v.slots)} > {L}")
        here = list(v.slots) + [()] * (L - len(v.slots))
        if any(len(h) > K for h in here):
            raise OutOfScope(f"more than {K} distinct entries acknowledged at one LSN")
        counts = tuple(len(h) for h in here)
        slots = tuple(tuple(h) + (NULL_ENTRY,) * (K - len(h)) for h in here)
    new_counts = tuple(fn(f"{key}[{i}].count", "int", c) for i, c in enumerate(counts))
    new_slots = tuple(tuple(walk(_place_entry(i, s), fn, scope, f"{key}[{i}][{k}]") for k, s in enumerate(h))
                      for i, h in enumerate(slots))
    return SymLedger(new_counts, new_slots)


def template(cfg: Config) -> tuple[State, Ghost]:
    """A concrete state and ghost of the configuration's shape (the initial ones)."""
    return initial_state(cfg), fresh_ghost(cfg.sessions)


def flatten(state: State, ghost: Ghost, scope: Scope) -> dict[str, Any]:
    """key -> leaf of a (symbolic or concrete) state and ghost."""
    out: dict[str, Any] = {}

    def keep(key: str, kind: str, v: Any) -> Any:
        out[key] = v
        return v
    walk(state, keep, scope, "")
    walk(ghost, keep, scope, "ghost")
    return out


def layout(cfg: Config, scope: Scope) -> list[tuple[str, str]]:
    """Every key of the encoding of (cfg, scope), with its kind, in order."""
    out: list[tuple[str, str]] = []

    def keep(key: str, kind: str, v: Any) -> Any:
        out.append((key, kind))
        return v
    state, ghost = template(cfg)
    walk(state, keep, scope, "")
    walk(ghost, keep, scope, "ghost")
    return out


def rebuild(cfg: Config, scope: Scope, fn: Leaf) -> tuple[State, Ghost]:
    """The configuration's state and ghost with every leaf given by fn."""
    state, ghost = template(cfg)
    return walk(state, fn, scope, ""), walk(ghost, fn, scope, "ghost")


class Payloads:
    """Numbers for the payloads of concrete entries (the write), in order of
    first sight: one object for a pre-state, its step and its successor."""

    def __init__(self) -> None:
        self.numbers: dict[Any, int] = {}

    def __call__(self, w: Any) -> Any:
        if not isinstance(w, Write):
            return w
        if w not in self.numbers:
            self.numbers[w] = len(self.numbers) + 1
        return self.numbers[w]


def abstract(state: State, ghost: Ghost, scope: Scope, payloads: Optional[Payloads] = None) -> dict[str, Any]:
    """The values of the keys for a concrete state and ghost (OutOfScope if they do not fit)."""
    pay = payloads or Payloads()
    if state.orchestrator.epoch > scope.epochs:
        raise OutOfScope(f"epoch {state.orchestrator.epoch} > {scope.epochs}")

    def value(key: str, kind: str, v: Any) -> Any:
        if kind == "bool":
            return v if isinstance(v, bool) else v is not None
        return pay(v) if kind == "big" else v
    out: dict[str, Any] = {}

    def keep(key: str, kind: str, v: Any) -> Any:
        out[key] = value(key, kind, v)
        return v
    walk(state, keep, scope, "")
    walk(ghost, keep, scope, "ghost")
    return out


def concretize(cfg: Config, scope: Scope, values: dict[str, Any]) -> tuple[State, Ghost]:
    """A model state and ghost from the values of the keys (a solver's model):
    sequences become tuples of their length, payloads stay numbers."""
    state, ghost = rebuild(cfg, scope, lambda key, kind, v: values[key])
    return _tuples(state), _tuples(ghost)


def _tuples(x: Any) -> Any:
    if isinstance(x, SymSeq):
        n = max(0, min(int(x.length), len(x.slots)))
        return tuple(_tuples(s) for s in x.slots[:n])
    if isinstance(x, SymLedger):
        return Ledger(tuple(tuple(_tuples(s) for s in here[:max(0, int(c))]) for c, here in zip(x.counts, x.slots)))
    if attrs.has(type(x)):
        return type(x)(**{f.alias: _tuples(getattr(x, f.name)) for f in attrs.fields(type(x)) if f.init})
    if isinstance(x, tuple):
        return tuple(_tuples(v) for v in x)
    return x


def has_terms(x: Any) -> bool:
    return is_term(x)
