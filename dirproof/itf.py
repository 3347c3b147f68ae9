"""Export a replayed trace in the Informal Trace Format (ITF, Apalache ADR-015).

A trace is `{"#meta": {...}, "vars": [...], "states": [...]}`; every state
sets every variable of `vars` and carries `"#meta": {"index": i}`. Values
use ITF's encodings: integers always as `{"#bigint": "..."}` (never a plain
JSON number), sets `{"#set": [...]}`, tuples `{"#tup": [...]}`, maps
`{"#map": [[k, v], ...]}`, records as JSON objects, sequences as JSON
arrays, and sum types as Quint's variants `{"tag": ..., "value": ...}`.

Variables: `replicas` (map replica name -> record), `orchestrator`,
`sessions` (map session id -> record), `cut` (set of name pairs), `day`,
`snapshots`, `budget`, `history`, `violations` (set of the properties broken
in that state) and, as in Quint's model-based-testing traces,
`mbt::actionTaken` (the step's name; "init" for the initial state) and
`mbt::nondetPicks` (the step's arguments, each an Option variant).
"""

from __future__ import annotations

from typing import Any

import attrs

from dirproof import __version__
from dirproof.model import NEXT, SPECS, Acked, FailedOver, HandedOff, ReadServed, State, config_to_json
from dirproof.properties import check

SPEC = "https://apalache-mc.org/docs/adr/015adr-trace.html"
ACTION_VAR = "mbt::actionTaken"
PICKS_VAR = "mbt::nondetPicks"
VARS = ("replicas", "orchestrator", "sessions", "cut", "day", "snapshots", "budget", "history",
        "violations", ACTION_VAR, PICKS_VAR)


def big(n: int) -> dict:
    return {"#bigint": str(int(n))}


def tup(*xs) -> dict:
    return {"#tup": list(xs)}


def some(v) -> dict:
    return {"tag": "Some", "value": v}


NONE = {"tag": "None", "value": {"#tup": []}}


def variant(tag: str, value) -> dict:
    return {"tag": tag, "value": value}


def generic(v) -> Any:
    """Any model value as ITF: attrs classes as records, tuples as lists."""
    if isinstance(v, bool) or isinstance(v, str):
        return v
    if isinstance(v, int):
        return big(v)
    if v is None:
        return NONE
    if attrs.has(type(v)):
        return {f.name: generic(getattr(v, f.name)) for f in attrs.fields(type(v))}
    if isinstance(v, (tuple, list)):
        return [generic(x) for x in v]
    if isinstance(v, dict):
        return {"#map": [[generic(k), generic(x)] for k, x in v.items()]}
    return {"#unserializable": repr(v)}


def op_value(op) -> dict:
    return variant(type(op).__name__, generic(op))


def entry_value(e, cfg) -> dict:
    return {"epoch": big(e.epoch), "lsn": big(e.lsn), "op": op_value(e.op),
            "origin": cfg.name_of(e.origin), "session": big(e.session), "logical": big(e.logical),
            "day": big(e.day)}


def object_value(rec) -> dict:
    return {"kind": rec.kind, "attrs": [big(a) for a in rec.attrs], "status": rec.status,
            "deleted_day": NONE if rec.deleted_day is None else some(big(rec.deleted_day))}


def event_value(ev, cfg) -> dict:
    if isinstance(ev, Acked):
        return variant("Acked", {"replica": cfg.name_of(ev.replica), "epoch": big(ev.epoch),
                                 "entry": entry_value(ev.entry, cfg),
                                 "regions": {"#set": [cfg.regions[g] for g in ev.regions]}})
    if isinstance(ev, ReadServed):
        return variant("ReadServed", {"session": big(ev.session), "logical": big(ev.logical),
                                      "replica": cfg.name_of(ev.replica),
                                      "seen": [entry_value(e, cfg) for e in ev.seen],
                                      "token": tup(big(ev.token.epoch), big(ev.token.lsn))})
    if isinstance(ev, FailedOver):
        return variant("FailedOver", {"kind": ev.kind, "epoch": big(ev.epoch), "ap": cfg.name_of(ev.ap),
                                      "pp": cfg.name_of(ev.pp)})
    if isinstance(ev, HandedOff):
        return variant("HandedOff", {"giver": big(ev.giver), "receiver": big(ev.receiver),
                                     "logical": big(ev.logical), "token": tup(big(ev.token.epoch), big(ev.token.lsn))})
    return variant(type(ev).__name__, generic(ev))


def budget_value(b, cfg) -> dict:
    out = {"pending": b.pending, "exceeded": b.exceeded}
    if hasattr(b, "guard"):
        out["guard"] = {"#set": [cfg.name_of(r) for r in b.guard]}
    out.update(_extra(b, ("pending", "exceeded", "guard")))
    return out


def _extra(obj, known: tuple) -> dict:
    """Fields a later model adds, encoded generically, so nothing is dropped."""
    return {f.name: generic(getattr(obj, f.name)) for f in attrs.fields(type(obj)) if f.name not in known}


def state_vars(state: State) -> dict:
    """The model state as ITF variables (everything but the action)."""
    cfg = state.config
    replicas = {"#map": [[cfg.name_of(r), {
        "region": cfg.regions[cfg.region_of(r)], "up": rep.up, "epoch": big(rep.epoch),
        "log": [entry_value(e, cfg) for e in rep.log], "commit": big(rep.commit),
        **_extra(rep, ("up", "epoch", "log", "commit"))}] for r, rep in enumerate(state.replicas)]}
    o = state.orchestrator
    orchestrator = {"epoch": big(o.epoch), "ap": cfg.name_of(o.ap), "pp": cfg.name_of(o.pp),
                    "roles": [tup(cfg.name_of(a), cfg.name_of(p)) for a, p in o.roles],
                    **_extra(o, ("roles",))}
    sessions = {"#map": [[big(s), {"replica": cfg.name_of(ss.replica),
                                   "token": tup(big(ss.token.epoch), big(ss.token.lsn)),
                                   "logical": big(ss.logical), **_extra(ss, ("replica", "token", "logical"))}]
                         for s, ss in enumerate(state.sessions)]}
    snapshots = [{"day": big(sn.day),
                  "objects": {"#map": [[big(i), object_value(rec)] for i, rec in enumerate(sn.view)
                                       if rec is not None]}} for sn in state.snapshots]
    out = {"replicas": replicas, "orchestrator": orchestrator, "sessions": sessions,
           "cut": {"#set": [tup(cfg.name_of(a), cfg.name_of(b)) for a, b in state.cut]},
           "day": big(state.day), "snapshots": snapshots,
           "budget": budget_value(state.budget, cfg),
           "history": [event_value(ev, cfg) for ev in state.history]}
    known = ("config", "replicas", "orchestrator", "sessions", "cut", "day", "snapshots", "budget", "history")
    out.update(_extra(state, known))
    return out


def _arg_names() -> list[str]:
    """Every argument name of every step, in the registry's order."""
    names: list[str] = []
    for spec in NEXT:
        names += [f for f in spec.fields if f not in names]
    return names


def _pick(kind: str, v: Any, cfg) -> Any:
    """An argument's value by its kind in the registry (StepSpec.over): replicas
    and regions by name, operations as variants, the rest generically."""
    if kind == "replica" and isinstance(v, int) and 0 <= v < len(cfg.datacenters):
        return cfg.name_of(v)
    if kind == "region" and isinstance(v, int) and 0 <= v < len(cfg.regions):
        return cfg.regions[v]
    if kind == "op":
        return op_value(v)
    return generic(v)


def picks(action, cfg) -> dict:
    """The action's arguments as Quint's nondet picks: every argument name of
    every step, Some(value) for this action's, None for the others."""
    out = {name: NONE for name in _arg_names()}
    if action is None:
        return out
    spec = SPECS[type(action)]
    for name, kind in zip(spec.fields, spec.over):
        out[name] = some(_pick(kind, getattr(action, name), cfg))
    return out


def _fate(o) -> str:
    if o.broke:
        return f" breaks at state {o.step}"
    if o.refused is not None:
        return f" refused at step {o.refused.index}: {o.refused.reason}"
    return " (did not break)"


def _identity(prop: str) -> Any:
    """For a counterexample of the identity or cells layer (model/identity/,
    model/cells/): its state's fields, violations, action and picks as ITF;
    else None."""
    from dirproof.properties import layer_of
    layer = layer_of(prop)
    if layer == "identity":
        from dirproof.model.identity import ID_NEXT as NXT
        from dirproof.model.identity.state import FIELDS
        from dirproof.properties.identity import id_violations as violations
    elif layer == "cells":
        from dirproof.model.cells import CELL_NEXT as NXT  # type: ignore[assignment]
        from dirproof.model.cells.state import FIELDS  # type: ignore[assignment]
        from dirproof.properties.cells import cell_violations as violations  # type: ignore[assignment]
    else:
        return None
    specs = {s.action: s for s in NXT}
    names = [f for s in NXT for f in s.fields]

    def values(state: Any, action: Any) -> dict:
        out = {f: generic(getattr(state, f)) for f in FIELDS}
        out["violations"] = {"#set": sorted(p for p, _ in violations(state))}
        out[ACTION_VAR] = "init" if action is None else specs[type(action)].name
        out[PICKS_VAR] = {n: NONE for n in names}
        if action is not None:
            out[PICKS_VAR].update({f: some(generic(getattr(action, f))) for f in specs[type(action)].fields})
        return out
    return values


def trace(rp, source: str = "") -> dict:
    """The ITF trace of a replay (`dirproof.replay.Replay`)."""
    cx, cfg = rp.cx, rp.config
    actions = [None] + [r.action for r in rp.steps]
    states = []
    ident = _identity(cx.property)
    for i, (state, action) in enumerate(zip(rp.states, actions)):
        values = state_vars(state) if ident is None else ident(state, action)
        if ident is None:
            values["violations"] = {"#set": sorted(v.property for v in check(state))}
            values[ACTION_VAR] = "init" if action is None else SPECS[type(action)].name
            values[PICKS_VAR] = picks(action, cfg)
        order = VARS if ident is None else ()
        extra = [k for k in values if k not in order]
        states.append({"#meta": {"index": i}, **{k: values[k] for k in (*order, *extra)}})
    variables = [k for k in states[0] if k != "#meta"]
    o = rp.outcome
    meta = {"format": "ITF", "format-description": SPEC, "source": source or cx.name,
            "description": f"dirproof {__version__} counterexample: {cx.property}" + _fate(o),
            "property": cx.property, "status": o.status, "violated_at": o.step if o.broke else None,
            "message": o.message, "engine": cx.engine, "found": cx.found, "config": config_to_json(cfg)}
    if rp.design is not None:  # replayed on another design: the trace stops where it refused a step
        meta["recorded_config"] = config_to_json(cx.config)
        meta["refused_at"] = o.refused.index if o.refused is not None else None
    return {"#meta": meta, "vars": variables, "states": states}
