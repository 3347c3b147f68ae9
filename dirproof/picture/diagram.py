"""The space-time diagram of a replayed counterexample, as one SVG document.

The step column names each step and says it in the registry's words
(model/next.py: `StepSpec.name`, `.text`, coloured by `.group`); the lanes
carry the marks of what each step changed (marks.py). The step where the
property breaks is a red band; on another design, the step that design
refuses is a green band, with the guard's reason. Hovering a row (in a
browser) shows its full diff.
"""

from __future__ import annotations

import drawsvg as draw

from dirproof.model import SPECS
from dirproof.replay import Replay, StepResult

from .canvas import RIGHT, Canvas
from .marks import draw_changes
from .style import C_FAULT, C_REPL, GROUP_COLOR, ROW, TOP


class Diagram(Canvas):
    def steps(self) -> None:
        self.text(self.d, "start", 16, self.y(0) + 4, size=12, anchor="start", weight="bold", halo=False)
        for r in self.rp.steps:
            g = draw.Group()
            g.append_title("\n".join([f"step {r.index}: {r.text}", *r.changes,
                                      *[f"BROKEN {v.property}: {v.message}" for v in r.new]]))
            g.append(draw.Rectangle(0, TOP + ROW * r.index, self.width, ROW, fill="white", fill_opacity=0))
            self._label(g, r.index, r.action, r.text)
            draw_changes(self, g, r.index, r.action, self.rp.states[r.index - 1], self.rp.states[r.index])
            self._broken(g, r)
            self.d.append(g)
        refused = self.rp.outcome.refused
        if refused is not None:
            g = draw.Group()
            g.append_title(f"step {refused.index}: {refused.text}\nREFUSED: {refused.reason}")
            self._label(g, refused.index, refused.action, refused.text)
            self.text(g, f"REFUSED: {refused.reason}", self.x[self.lanes[0]] - 40, self.y(refused.index) + 4,
                      size=10.5, color=C_REPL, anchor="start", weight="bold")
            self.d.append(g)

    def _label(self, g, i: int, action, text: str) -> None:
        spec = SPECS.get(type(action))
        color = GROUP_COLOR.get(spec.group, "#222") if spec is not None else "#222"
        name, _, detail = text.partition(": ")
        self.text(g, f"{i}. {name}", 16, self.y(i) - 2, size=12, color=color, anchor="start", weight="bold",
                  halo=False)
        if len(detail) > 40:
            detail = detail[:38] + "..."
        self.text(g, detail, 16, self.y(i) + 13, size=10, color="#555", anchor="start", halo=False)

    def _broken(self, g, r: StepResult) -> None:
        o = self.rp.outcome
        for k, v in enumerate(r.new):
            bold = o.step == r.index and v.property == o.property
            self.text(g, f"BROKEN: {v.property}", self.width - RIGHT + 10, self.y(r.index) + 4 + 13 * k,
                      size=10.5, color=C_FAULT, anchor="start", weight="bold" if bold else "normal")

    def render(self) -> str:
        self.header()
        self.lanes_and_rows()
        self.replica_notes()
        self.steps()
        self.footer()
        return self.d.as_svg()


def svg(rp: Replay) -> str:
    """The space-time diagram of a replay, as an SVG document (a side
    machine's counterexample: its own lanes, side.py)."""
    from dirproof.properties import layer_of
    layer = layer_of(rp.cx.property)
    if layer != "partition":
        from .side import SideDiagram
        from .views import VIEWS
        return SideDiagram(rp, VIEWS[layer]).render()
    return Diagram(rp).render()
