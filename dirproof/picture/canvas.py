"""The frame of a counterexample picture: lanes, roles, notes, header, verdict.

One vertical lane per actor (the orchestrator, each replica grouped by
region, each session); time flows down, one row per state (row 0: the
initial state, row i: after step i). A replica's lane shows its role in
that state (design.md §2: the AP, the PP, a secondary, a deposed AP that
has not heard of the new epoch, or down).
"""

from __future__ import annotations

import textwrap
from typing import Any, Optional

import drawsvg as draw

from dirproof.model import SYSTEM, State, believes_ap
from dirproof.properties import PROPERTIES
from dirproof.replay import Replay, design_text, verdict_lines

from .style import (C_AP, C_BREAK, C_DEPOSED, C_FAULT, C_ORCH, C_PP, C_READ, C_REFUSED, C_REPL, C_SEC,
                    C_ACK, C_WRITE, FONT, LANE, LEFT, ROW, TOP)

RIGHT = max(170, 24 + max(7 * len(p) for p in PROPERTIES))  # room for the violation labels
LEGEND = [("AP", C_AP, 5, None), ("PP", C_PP, 4, None), ("deposed AP", C_DEPOSED, 4, "8,3"),
          ("secondary", C_SEC, 1.5, None), ("down", "#bbbbbb", 2, "4,4"), ("write", C_WRITE, 1.8, None),
          ("replication", C_REPL, 1.8, None), ("async copy", C_REPL, 1.8, "2,3"),
          ("ack", C_ACK, 1.8, "5,3"), ("read", C_READ, 1.8, None), ("failover", C_ORCH, 1.8, "6,3")]


class Canvas:
    """A drawing sized for one replay, with the drawing helpers the marks use."""

    def __init__(self, rp: Replay):
        self.rp = rp
        self.cfg = cfg = rp.config
        self.lanes: list[tuple[str, Any]] = [("orch", None)]
        for g in range(len(cfg.regions)):
            self.lanes += [("rep", r) for r in cfg.replicas if cfg.region_of(r) == g]
        self.lanes += [("sess", s) for s in range(cfg.sessions)]
        self.x = {key: LEFT + LANE // 2 + i * LANE for i, key in enumerate(self.lanes)}
        self.width = LEFT + LANE * len(self.lanes) + RIGHT
        self.rows = len(rp.steps) + 1 + (rp.outcome.refused is not None)
        self.verdict = [w for line in verdict_lines(rp)
                        for w in textwrap.wrap(line, width=max(60, (self.width - 40) // 7)) or [""]]
        self.bottom = TOP + ROW * self.rows
        self.height = self.bottom + 24 + 16 * len(self.verdict) + 36
        self.d = draw.Drawing(self.width, self.height, font_family=FONT)
        self.markers: dict[str, draw.Marker] = {}
        self.d.append(draw.Rectangle(0, 0, self.width, self.height, fill="white"))

    # ------------------------------------------------------------------ helpers
    def y(self, row: int) -> float:
        return TOP + ROW * row + ROW / 2

    def rx(self, r: int) -> float:
        return self.x[("rep", r)]

    def sx(self, s: int) -> float:
        return self.x[("orch", None)] if s == SYSTEM else self.x[("sess", s)]

    def ox(self) -> float:
        return self.x[("orch", None)]

    def marker(self, color: str) -> draw.Marker:
        if color not in self.markers:
            m = draw.Marker(-0.1, -0.5, 0.9, 0.5, scale=7, orient="auto")
            m.append(draw.Lines(-0.1, -0.5, -0.1, 0.5, 0.9, 0, fill=color, close=True))
            self.markers[color] = m
        return self.markers[color]

    def text(self, g, s: str, x: float, y: float, size: float = 11, color: str = "#222",
             anchor: str = "middle", weight: str = "normal", halo: bool = True) -> None:
        kw: dict[str, Any] = dict(text_anchor=anchor, fill=color, font_weight=weight)
        if halo:
            kw.update(stroke="white", stroke_width=3, paint_order="stroke", stroke_linejoin="round")
        g.append(draw.Text(s, size, x, y, **kw))

    def arrow(self, g, x1: float, x2: float, row: int, color: str, label: str = "",
              dash: Optional[str] = None, lift: float = 0, at: float = 0.5) -> None:
        y = self.y(row) + lift
        if abs(x2 - x1) < 1:
            return
        kw: dict[str, Any] = dict(stroke=color, stroke_width=1.8, marker_end=self.marker(color))
        if dash:
            kw["stroke_dasharray"] = dash
        g.append(draw.Line(x1, y - 9, x2 - (6 if x2 > x1 else -6), y + 9, **kw))
        if label:
            self.text(g, label, x1 + at * (x2 - x1), y - 12 + 18 * (at - 0.5), size=10, color=color)

    def box(self, g, x: float, i: int, color: str) -> None:
        g.append(draw.Rectangle(x - 6, self.y(i) + 3, 12, 12, fill=color, stroke="white"))

    def cross(self, g, x: float, i: int, label: str) -> None:
        y = self.y(i)
        for dx in (-7, 7):
            g.append(draw.Line(x - dx, y - 7, x + dx, y + 7, stroke=C_FAULT, stroke_width=3))
        self.text(g, label, x, y - 11, size=10, color=C_FAULT, weight="bold")

    # ------------------------------------------------------------------ parts
    def header(self) -> None:
        cx, cfg, d = self.rp.cx, self.cfg, self.d
        self.text(d, f"dirproof counterexample: {cx.property}", 16, 26, size=17, anchor="start",
                  weight="bold", halo=False)
        on = "" if self.rp.design is None else " (replayed on another design)"
        self.text(d, f"{design_text(cfg)}{on}; {len(cx.steps)} steps; engine {cx.engine or 'unknown'}",
                  16, 46, size=11, color="#555", anchor="start", halo=False)
        for g, reg in enumerate(cfg.regions):  # region boxes over the replica lanes
            xs = [self.rx(r) for r in cfg.replicas if cfg.region_of(r) == g]
            if xs:
                d.append(draw.Rectangle(min(xs) - LANE / 2 + 4, 58, max(xs) - min(xs) + LANE - 8, 20,
                                        rx=4, fill="#eef2f7", stroke="#c5d0de"))
                self.text(d, f"region {reg}", (min(xs) + max(xs)) / 2, 72, size=11, color="#445", halo=False)
        s0 = self.rp.states[0]
        for kind, who in self.lanes:
            if kind == "orch":
                name, sub = "orchestrator", f"epoch {s0.orchestrator.epoch}"
            elif kind == "rep":
                name = cfg.name_of(who)
                sub = "AP" if who == s0.orchestrator.ap else "PP" if who == s0.orchestrator.pp else "secondary"
            else:
                name, sub = f"session {who}", f"at {cfg.name_of(s0.sessions[who].replica)}"
            self.text(d, name, self.x[(kind, who)], 96, size=13, weight="bold", halo=False)
            self.text(d, sub, self.x[(kind, who)], 110, size=10, color="#666", halo=False)
        self.text(d, "step", 16, 110, size=11, color="#666", anchor="start", halo=False)

    def lanes_and_rows(self) -> None:
        d, rp = self.d, self.rp
        for i in range(self.rows):
            if i % 2 == 0:
                d.append(draw.Rectangle(0, TOP + ROW * i, self.width, ROW, fill="#fafafa"))
        o = rp.outcome
        if o.step is not None:  # the step where it breaks (red), or the one the design refuses (green)
            d.append(draw.Rectangle(0, TOP + ROW * o.step, self.width, ROW,
                                    fill=C_BREAK if o.broke else C_REFUSED))
        for i, state in enumerate(rp.states):
            y0, y1 = TOP + ROW * i, TOP + ROW * (i + 1)
            for kind, who in self.lanes:
                x = self.x[(kind, who)]
                if kind == "rep":
                    d.append(_replica_segment(state, who, x, y0, y1))
                else:
                    d.append(draw.Line(x, y0, x, y1, stroke=C_ORCH if kind == "orch" else C_READ,
                                       stroke_width=1.2, stroke_opacity=0.6))

    def replica_notes(self) -> None:
        """Epoch, log length and commit point, and tokens, where a step changed them."""
        rp, d = self.rp, self.d
        for i, state in enumerate(rp.states):
            prev = rp.states[i - 1] if i else None
            for r, rep in enumerate(state.replicas):
                if prev is None or prev.replicas[r] != rep:
                    self.text(d, f"e{rep.epoch} log {len(rep.log)} c{rep.commit} f{rep.flushed}", self.rx(r) + 6,
                              self.y(i) + 24, size=9, color="#555", anchor="start")
            for s, sess in enumerate(state.sessions):
                if prev is None or prev.sessions[s].token != sess.token:
                    t = sess.token
                    self.text(d, f"token ({t.epoch},{t.lsn})", self.sx(s) + 6, self.y(i) + 24, size=9,
                              color="#555", anchor="start")

    def footer(self) -> None:
        d, y = self.d, self.bottom + 24
        color = C_FAULT if self.rp.outcome.broke else C_REPL
        for k, line in enumerate(self.verdict):
            self.text(d, line, 16, y + 16 * k, size=12 if k == 0 else 11, color=color if k == 0 else "#444",
                      anchor="start", weight="bold" if k == 0 else "normal", halo=False)
        y += 16 * len(self.verdict) + 18
        self.text(d, "legend:", 16, y + 4, size=10, color="#666", anchor="start", halo=False)
        x = 66.0
        for label, c, w, dash in LEGEND:
            kw: dict[str, Any] = dict(stroke=c, stroke_width=w)
            if dash:
                kw["stroke_dasharray"] = dash
            d.append(draw.Line(x, y, x + 26, y, **kw))
            self.text(d, label, x + 31, y + 4, size=10, color="#444", anchor="start", halo=False)
            x += 40 + 6.2 * len(label) + 10
        for dx in (-5, 5):
            d.append(draw.Line(x + 6 - dx, y - 5, x + 6 + dx, y + 5, stroke=C_FAULT, stroke_width=2.5))
        self.text(d, "fault", x + 16, y + 4, size=10, color="#444", anchor="start", halo=False)


def _replica_segment(state: State, r: int, x: float, y0: float, y1: float):
    rep, orch = state.replicas[r], state.orchestrator
    if not rep.up:
        return draw.Line(x, y0, x, y1, stroke="#bbbbbb", stroke_width=2, stroke_dasharray="4,4")
    if r == orch.ap:
        return draw.Line(x, y0, x, y1, stroke=C_AP, stroke_width=5)
    if r == orch.pp:
        return draw.Line(x, y0, x, y1, stroke=C_PP, stroke_width=4)
    if believes_ap(state, r):  # a deposed AP that has not heard of the new epoch
        return draw.Line(x, y0, x, y1, stroke=C_DEPOSED, stroke_width=4, stroke_dasharray="8,3")
    return draw.Line(x, y0, x, y1, stroke=C_SEC, stroke_width=1.5)
