"""The picture of a counterexample of a side machine (the identity layer,
the cells layer): the same frame as the partition's space-time diagram
(canvas.py: the step column, a red band where the property breaks, the
verdict under it), with the lanes, notes and marks of the machine's `View`
(views.py): one lane per actor, its look per state, the notes where a
step changed it.
"""

from __future__ import annotations

import textwrap
from typing import Any

import drawsvg as draw

from dirproof.replay import Replay, design_text, verdict_lines

from .canvas import RIGHT, Canvas
from .style import C_FAULT, FONT, GROUP_COLOR, LANE, LEFT, ROW, TOP
from .views import View

SIDE_GROUP_COLOR = {**GROUP_COLOR, "token": GROUP_COLOR["write"], "attack": C_FAULT, "outage": C_FAULT,
                    "key": GROUP_COLOR["orchestrator"], "revocation": GROUP_COLOR["session"],
                    "traffic": GROUP_COLOR["write"], "recovery": GROUP_COLOR["replication"]}


class SideDiagram(Canvas):
    """A drawing sized for one replay of a side machine."""

    def __init__(self, rp: Replay, view: View):  # Canvas.__init__ lays out the partition: not called
        self.rp, self.cfg, self.view = rp, rp.config, view
        self.info = view.lanes(rp.states[0])
        self.lanes = [k for k, _, _ in self.info]
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

    def header(self) -> None:
        cx, d = self.rp.cx, self.d
        self.text(d, f"dirproof counterexample: {cx.property}", 16, 26, size=17, anchor="start",
                  weight="bold", halo=False)
        on = "" if self.rp.design is None else " (replayed on another design)"
        self.text(d, f"{design_text(self.cfg)}{on}; {len(cx.steps)} steps; engine {cx.engine or 'unknown'}",
                  16, 46, size=11, color="#555", anchor="start", halo=False)
        for key, name, sub in self.info:
            self.text(d, name, self.x[key], 96, size=12, weight="bold", halo=False)
            self.text(d, sub[:20], self.x[key], 110, size=9, color="#666", halo=False)
        self.text(d, "step", 16, 110, size=11, color="#666", anchor="start", halo=False)

    def lanes_and_rows(self) -> None:
        d, rp = self.d, self.rp
        for i in range(self.rows):
            if i % 2 == 0:
                d.append(draw.Rectangle(0, TOP + ROW * i, self.width, ROW, fill="#fafafa"))
        o = rp.outcome
        if o.step is not None:
            from .style import C_BREAK, C_REFUSED
            d.append(draw.Rectangle(0, TOP + ROW * o.step, self.width, ROW, fill=C_BREAK if o.broke else C_REFUSED))
        for i, state in enumerate(rp.states):
            for key in self.lanes:
                color, width, dash = self.view.look(state, key)
                kw: dict[str, Any] = dict(stroke=color, stroke_width=width)
                if dash:
                    kw["stroke_dasharray"] = dash
                d.append(draw.Line(self.x[key], TOP + ROW * i, self.x[key], TOP + ROW * (i + 1), **kw))

    def notes(self) -> None:
        for i, state in enumerate(self.rp.states):
            for key, note in self.view.notes(self.rp.states[i - 1] if i else None, state):
                self.text(self.d, note, self.x[key] + 6, self.y(i) + 24, size=9, color="#555", anchor="start")

    def steps(self) -> None:
        self.text(self.d, "start", 16, self.y(0) + 4, size=12, anchor="start", weight="bold", halo=False)
        for r in self.rp.steps:
            g = draw.Group()
            g.append_title("\n".join([f"step {r.index}: {r.text}", *r.changes,
                                      *[f"BROKEN {v.property}: {v.message}" for v in r.new]]))
            g.append(draw.Rectangle(0, TOP + ROW * r.index, self.width, ROW, fill="white", fill_opacity=0))
            self._label(g, r.index, r.text)
            for mark in self.view.marks(r.action, self.rp.states[r.index - 1], self.rp.states[r.index]):
                self._mark(g, r.index, mark)
            o = self.rp.outcome
            for k, v in enumerate(r.new):
                self.text(g, f"BROKEN: {v.property}", self.width - RIGHT + 10, self.y(r.index) + 4 + 13 * k,
                          size=10.5, color=C_FAULT, anchor="start",
                          weight="bold" if o.step == r.index and v.property == o.property else "normal")
            self.d.append(g)
        refused = self.rp.outcome.refused
        if refused is not None:
            g = draw.Group()
            g.append_title(f"step {refused.index}: {refused.text}\nREFUSED: {refused.reason}")
            self._label(g, refused.index, refused.text)
            self.text(g, f"REFUSED: {refused.reason}", self.x[self.lanes[0]] - 40, self.y(refused.index) + 4,
                      size=10.5, color=GROUP_COLOR["replication"], anchor="start", weight="bold")
            self.d.append(g)

    def _label(self, g, i: int, text: str) -> None:
        from dirproof.replay.machines import _side_specs
        action = self.rp.steps[i - 1].action if i <= len(self.rp.steps) else self.rp.outcome.refused.action  # type: ignore[union-attr]
        spec = _side_specs().get(type(action))
        color = SIDE_GROUP_COLOR.get(spec.group, "#222") if spec is not None else "#222"
        name, _, detail = text.partition(": ")
        self.text(g, f"{i}. {name}", 16, self.y(i) - 2, size=12, color=color, anchor="start", weight="bold",
                  halo=False)
        self.text(g, detail if len(detail) <= 40 else detail[:38] + "...", 16, self.y(i) + 13, size=10,
                  color="#555", anchor="start", halo=False)

    def _mark(self, g, i: int, mark: tuple) -> None:
        kind, where, color, label = mark
        if kind == "arrow":
            src, dst = where
            self.arrow(g, self.x[src], self.x[dst], i, color, label)
        elif kind == "cross":
            self.cross(g, self.x[where], i, label)
        else:
            self.box(g, self.x[where], i, color)
            if label:
                self.text(g, label, self.x[where], self.y(i) - 8, size=10, color=color)

    def footer(self) -> None:
        d, y = self.d, self.bottom + 24
        color = C_FAULT if self.rp.outcome.broke else GROUP_COLOR["replication"]
        for k, line in enumerate(self.verdict):
            self.text(d, line, 16, y + 16 * k, size=12 if k == 0 else 11, color=color if k == 0 else "#444",
                      anchor="start", weight="bold" if k == 0 else "normal", halo=False)
        y += 16 * len(self.verdict) + 18
        self.text(d, "legend:", 16, y + 4, size=10, color="#666", anchor="start", halo=False)
        x = 66.0
        for label, c, w, dash in self.view.legend:
            kw: dict[str, Any] = dict(stroke=c, stroke_width=w)
            if dash:
                kw["stroke_dasharray"] = dash
            d.append(draw.Line(x, y, x + 26, y, **kw))
            self.text(d, label, x + 31, y + 4, size=10, color="#444", anchor="start", halo=False)
            x += 40 + 6.2 * len(label) + 10

    def render(self) -> str:
        self.header()
        self.lanes_and_rows()
        self.notes()
        self.steps()
        self.footer()
        return self.d.as_svg()
