"""What the picture of a side machine (the identity layer, the cells layer)
shows: its lanes, the look of a lane in each state, the notes where a state
changed, and the mark of each step. side.py draws any `View`.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import attrs

from .style import C_ACK, C_AP, C_DEPOSED, C_FAULT, C_ORCH, C_PP, C_READ, C_REPL, C_WRITE

DOWN = ("#bbbbbb", 2.0, "4,4")  # (colour, width, dash) of a lane that is down / absent
Look = tuple[str, float, Optional[str]]
# A mark: ("box", lane, colour, label) | ("cross", lane, "", label) | ("arrow", (from, to), colour, label)
Mark = tuple[str, Any, str, str]


@attrs.frozen
class View:
    lanes: Callable[[Any], list[tuple[Any, str, str]]]  # state -> (key, name, subtitle) per lane
    look: Callable[[Any, Any], Look]  # (state, key) -> how the lane looks in that state
    notes: Callable[[Any, Any], list[tuple[Any, str]]]  # (before or None, after) -> (lane, note) per change
    marks: Callable[[Any, Any, Any], list[Mark]]  # (action, before, after) -> marks on the step's row
    legend: tuple[tuple[str, str, float, Optional[str]], ...]


# ---------------------------------------------------------------- the identity layer

def _identity_lanes(s: Any) -> list:
    from dirproof.model.identity import KEYS, PRINCIPALS, SCOPES, SLOTS
    out: list = [("clock", "clock", "minutes"), ("primary", "primary auth", "sign-in, revocation"),
                 ("backup", "backup auth", "evaluator 1"), ("resource", "resource", "evaluator 0")]
    out += [(("key", k), key.name, SCOPES[key.scope]) for k, key in enumerate(KEYS)]
    out += [(("slot", t), f"slot {t}", "a sign-in") for t in range(SLOTS)]
    return out + [(("principal", p), f"principal {p}", "") for p in range(PRINCIPALS)]


def _identity_look(s: Any, key: Any) -> Look:
    from dirproof.model.identity.steps import live
    if key == "primary":
        return (C_ORCH, 4, None) if s.primary_up else DOWN
    if key in ("backup", "resource", "clock"):
        return (C_PP if key == "backup" else C_READ if key == "resource" else "#999", 1.5, None)
    kind, i = key
    if kind == "key":
        return (C_AP, 3, None) if s.published[i] else DOWN
    if kind == "slot":
        tok = s.tokens[i]
        return (C_FAULT if tok.forged else C_WRITE, 3, None) if live(s, tok) else ("#dddddd", 1.2, None)
    return (C_FAULT, 2.5, "6,3") if s.revoked[i] else ("#999", 1.2, None)


def _identity_notes(a: Any, b: Any) -> list:
    from dirproof.model.identity import KEYS
    out: list = []
    if a is None or a.now != b.now:
        out.append(("clock", f"minute {b.now}"))
    for t, tok in enumerate(b.tokens):
        if (a is None or a.tokens[t] != tok) and tok.present:
            out.append((("slot", t), f"p{tok.principal} {KEYS[tok.key].name} @{tok.iat} {tok.lifetime}m"
                        + (" CAE" if tok.cae else "")))
    for p, r in enumerate(b.revoked):
        if r and (a is None or not a.revoked[p]):
            out.append((("principal", p), f"revoked @{b.revoked_at[p]}"))
    for e, lane in enumerate(("resource", "backup")):
        got = [p for p, v in enumerate(b.seen[e]) if v and (a is None or not a.seen[e][p])]
        if got:
            out.append((lane, "has revocation of p" + ",".join(map(str, got))))
    return out


def _identity_marks(action: Any, a: Any, b: Any) -> list:
    from dirproof.model.identity import KEYS
    name = type(action).__name__
    if name in ("IssueToken", "ForgeToken"):
        forged = name == "ForgeToken"
        src = ("key", action.key) if forged else "primary"
        return [("arrow", (src, ("slot", action.slot)), C_FAULT if forged else C_WRITE,
                 "forged" if forged else f"signed {KEYS[action.key].name}")]
    if name in ("ValidateToken", "BackupServe"):
        lane = "resource" if name == "ValidateToken" else "backup"
        ok = b.last != a.last
        return [("arrow", (("slot", action.slot), lane), C_REPL, "accepted" if ok else "")]
    if name == "RetireKey":
        return [("cross", ("key", action.key), C_FAULT, "retired")]
    if name == "RevokePrincipal":
        return [("box", ("principal", action.principal), C_FAULT, "revoke")]
    if name == "DeliverRevocation":
        return [("arrow", (("principal", action.principal), ("resource", "backup")[action.evaluator]), C_ACK, "")]
    if name == "PrimaryAuthFails":
        return [("cross", "primary", C_FAULT, "down")]
    if name == "PrimaryAuthRecovers":
        return [("box", "primary", C_REPL, "up")]
    return [("box", "clock", "#999", f"+{action.minutes} min")]


IDENTITY_VIEW = View(_identity_lanes, _identity_look, _identity_notes, _identity_marks,
                     (("key published", C_AP, 3, None), ("live token", C_WRITE, 3, None),
                      ("forged token", C_FAULT, 3, None), ("primary up", C_ORCH, 4, None),
                      ("revoked", C_FAULT, 2.5, "6,3"), ("down / retired", "#bbbbbb", 2, "4,4"),
                      ("acceptance", C_REPL, 1.8, None), ("revocation delivered", C_ACK, 1.8, None)))


# ---------------------------------------------------------------- the cells layer

def _cells_lanes(s: Any) -> list:
    from dirproof.model.cells import CELLS, gateway_of, orchestrator_of, tenants_of
    cfg = s.config
    out: list = [(("cell", c), f"cell {c}", "tenants " + ", ".join(map(str, tenants_of(c)))) for c in range(CELLS)]
    for kind, of, name in (("orch", orchestrator_of, "orchestrator"), ("gw", gateway_of, "gateway")):
        for i in range(CELLS):
            served = [c for c in range(CELLS) if of(cfg, c) == i]
            out.append(((kind, i), f"{name} {i}",
                        ("serves cell" + ("s " if len(served) > 1 else " ") + ",".join(map(str, served)))
                        if served else "serves no cell"))
    return out


def _cells_look(s: Any, key: Any) -> Look:
    from dirproof.model.cells import gateway_of, orchestrator_of
    kind, i = key
    if kind == "cell":
        gw, orch = s.gw_up[gateway_of(s.config, i)], s.orch_up[orchestrator_of(s.config, i)]
        return (C_AP, 5, None) if gw and orch else (C_DEPOSED, 4, "8,3") if gw else DOWN
    return (C_ORCH if kind == "orch" else C_READ, 2.5, None) if (s.orch_up if kind == "orch" else s.gw_up)[i] else DOWN


def _cells_notes(a: Any, b: Any) -> list:
    from dirproof.model.cells import CELLS
    out: list = []
    for c in range(CELLS):
        if a is None or (a.data[c], a.acked[c], a.hit[c]) != (b.data[c], b.acked[c], b.hit[c]):
            out.append((("cell", c), f"v{b.data[c]}, {b.acked[c]} acked" + (", hit" if b.hit[c] else "")))
    return out


def _cells_marks(action: Any, a: Any, b: Any) -> list:
    from dirproof.model.cells import TENANT_CELL, gateway_of, orchestrator_of
    name, cfg = type(action).__name__, a.config
    if name in ("CellWrite", "CellRead"):
        return [("box", ("cell", TENANT_CELL[action.tenant]), C_WRITE if name == "CellWrite" else C_READ,
                 f"t{action.tenant} {'writes' if name == 'CellWrite' else 'reads'}")]
    gw = "Gateway" in name
    lane = ("gw", gateway_of(cfg, action.cell)) if gw else ("orch", orchestrator_of(cfg, action.cell))
    if name.endswith("Recovers"):
        return [("box", lane, C_REPL, "recovers")]
    what = "bad change" if name == "CellBadChange" else "down"
    return [("cross", lane, C_FAULT, f"{what} (fault in cell {action.cell})"),
            ("arrow", (("cell", action.cell), lane), C_FAULT, "")]


CELLS_VIEW = View(_cells_lanes, _cells_look, _cells_notes, _cells_marks,
                  (("cell available", C_AP, 5, None), ("reads only", C_DEPOSED, 4, "8,3"),
                   ("orchestrator up", C_ORCH, 2.5, None), ("gateway up", C_READ, 2.5, None),
                   ("down", "#bbbbbb", 2, "4,4")))

VIEWS = {"identity": IDENTITY_VIEW, "cells": CELLS_VIEW}
