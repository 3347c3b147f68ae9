"""The picture of a replayed counterexample: a space-time diagram (drawsvg).

One vertical lane per actor (the orchestrator, each replica grouped by
region, each session); time flows down, one row per step. A replica's lane
shows its role after the step (thick blue: the AP, thick teal: the PP, thin
grey: a secondary, dashed: down) and, where the step changed it, its epoch,
log length and commit point. Writes, replication, acknowledgements, reads
and failovers are arrows between lanes; faults are marks on a lane; the
step where the property breaks is a red band, and the verdict is written
under the diagram. Hovering a row (in a browser) shows its full diff.
"""

from __future__ import annotations

import html
import textwrap
from typing import Optional

import drawsvg as draw

from dirproof.model import SYSTEM, Acked, FailedOver, ReadServed, State, believes_ap, step_name
from dirproof.properties import PROPERTIES
from dirproof.replay import Replay, describe_action, topology_text, verdict_lines

ROW = 58  # height of one step
LANE = 112  # distance between lanes
LEFT = 250  # the step column
RIGHT = max(170, 24 + max(7 * len(p) for p in PROPERTIES))  # room for the violation labels
TOP = 118  # title and lane headers
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"

C_WRITE = "#1f5fa8"
C_REPL = "#2a9d4a"
C_ACK = "#e07b00"
C_READ = "#7b3fa0"
C_ORCH = "#8c2d19"
C_FAULT = "#d62728"
C_AP = "#1f5fa8"
C_PP = "#17a2a2"
C_SEC = "#9a9a9a"
C_DEPOSED = "#9db9dd"
C_BREAK = "#fbd5d0"


class _Canvas:
    def __init__(self, rp: Replay):
        self.rp = rp
        self.cfg = rp.cx.config
        cfg = self.cfg
        self.lanes: list[tuple[str, object]] = [("orch", None)]
        for g in range(len(cfg.regions)):
            self.lanes += [("rep", r) for r in cfg.replicas if cfg.region_of(r) == g]
        self.lanes += [("sess", s) for s in range(cfg.sessions)]
        self.x = {key: LEFT + LANE // 2 + i * LANE for i, key in enumerate(self.lanes)}
        self.width = LEFT + LANE * len(self.lanes) + RIGHT
        self.verdict = self._verdict_text()
        self.bottom = TOP + ROW * (len(rp.steps) + 1)
        self.height = self.bottom + 24 + 16 * len(self.verdict) + 36
        self.d = draw.Drawing(self.width, self.height, font_family=FONT)
        self.markers: dict[str, draw.Marker] = {}
        self.d.append(draw.Rectangle(0, 0, self.width, self.height, fill="white"))

    # ------------------------------------------------------------------ helpers
    def y(self, row: int) -> float:
        return TOP + ROW * row + ROW / 2

    def lx(self, kind: str, who) -> float:
        return self.x[(kind, who)]

    def rx(self, r: int) -> float:
        return self.x[("rep", r)]

    def sx(self, s: int) -> float:
        return self.x[("orch", None)] if s == SYSTEM else self.x[("sess", s)]

    def marker(self, color: str) -> draw.Marker:
        if color not in self.markers:
            m = draw.Marker(-0.1, -0.5, 0.9, 0.5, scale=7, orient="auto")
            m.append(draw.Lines(-0.1, -0.5, -0.1, 0.5, 0.9, 0, fill=color, close=True))
            self.markers[color] = m
        return self.markers[color]

    def text(self, g, s: str, x: float, y: float, size: float = 11, color: str = "#222",
             anchor: str = "middle", weight: str = "normal", halo: bool = True):
        kw = dict(text_anchor=anchor, fill=color, font_weight=weight)
        if halo:
            kw.update(stroke="white", stroke_width=3, paint_order="stroke", stroke_linejoin="round")
        g.append(draw.Text(s, size, x, y, **kw))

    def arrow(self, g, x1: float, x2: float, row: int, color: str, label: str = "",
              dash: Optional[str] = None, lift: float = 0, at: float = 0.5):
        y = self.y(row) + lift
        if abs(x2 - x1) < 1:
            return
        kw = dict(stroke=color, stroke_width=1.8, marker_end=self.marker(color))
        if dash:
            kw["stroke_dasharray"] = dash
        g.append(draw.Line(x1, y - 9, x2 - (6 if x2 > x1 else -6), y + 9, **kw))
        if label:
            self.text(g, label, x1 + at * (x2 - x1), y - 12 + 18 * (at - 0.5), size=10, color=color)

    def _verdict_text(self) -> list[str]:
        out = []
        for line in verdict_lines(self.rp):
            out += textwrap.wrap(line, width=max(60, (self.width - 40) // 7)) or [""]
        return out

    # ------------------------------------------------------------------ parts
    def header(self):
        cx, cfg, d = self.rp.cx, self.cfg, self.d
        flaws = ", ".join(cfg.flaws) or "none (the safe design)"
        self.text(d, f"dirproof counterexample: {cx.property}", 16, 26, size=17, anchor="start",
                  weight="bold", halo=False)
        self.text(d, f"profile {cfg.profile} ({topology_text(cfg)}); flaws: {flaws}; "
                     f"{len(cx.steps)} steps; engine {cx.engine or 'unknown'}",
                  16, 46, size=11, color="#555", anchor="start", halo=False)
        # region boxes over the replica lanes
        for g, reg in enumerate(cfg.regions):
            xs = [self.rx(r) for r in cfg.replicas if cfg.region_of(r) == g]
            if not xs:
                continue
            d.append(draw.Rectangle(min(xs) - LANE / 2 + 4, 58, max(xs) - min(xs) + LANE - 8, 20,
                                    rx=4, fill="#eef2f7", stroke="#c5d0de"))
            self.text(d, f"region {reg}", (min(xs) + max(xs)) / 2, 72, size=11, color="#445",
                      halo=False)
        s0 = self.rp.states[0]
        for kind, who in self.lanes:
            x = self.x[(kind, who)]
            if kind == "orch":
                name, sub = "orchestrator", f"epoch {s0.orchestrator.epoch}"
            elif kind == "rep":
                name = cfg.name_of(who)
                sub = {who == s0.orchestrator.ap: "AP", who == s0.orchestrator.pp: "PP"}.get(True, "secondary")
            else:
                name, sub = f"session {who}", f"at {cfg.name_of(s0.sessions[who].replica)}"
            self.text(d, name, x, 96, size=13, weight="bold", halo=False)
            self.text(d, sub, x, 110, size=10, color="#666", halo=False)
        self.text(d, "step", 16, 110, size=11, color="#666", anchor="start", halo=False)

    def lanes_and_rows(self):
        d, rp, cfg = self.d, self.rp, self.cfg
        for i in range(len(rp.steps) + 1):
            if i % 2 == 0:
                d.append(draw.Rectangle(0, TOP + ROW * i, self.width, ROW, fill="#fafafa"))
        if rp.outcome.step is not None:
            d.append(draw.Rectangle(0, TOP + ROW * rp.outcome.step, self.width, ROW, fill=C_BREAK))
        for i, state in enumerate(rp.states):
            y0, y1 = TOP + ROW * i, TOP + ROW * (i + 1)
            for kind, who in self.lanes:
                x = self.x[(kind, who)]
                if kind == "orch":
                    d.append(draw.Line(x, y0, x, y1, stroke=C_ORCH, stroke_width=1.2, stroke_opacity=0.6))
                elif kind == "sess":
                    d.append(draw.Line(x, y0, x, y1, stroke=C_READ, stroke_width=1.2, stroke_opacity=0.6))
                else:
                    d.append(self._replica_segment(state, who, x, y0, y1))

    def _replica_segment(self, state: State, r: int, x: float, y0: float, y1: float):
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

    def replica_notes(self):
        """Epoch, log length and commit point, where a step changed them."""
        rp, d = self.rp, self.d
        for i, state in enumerate(rp.states):
            prev = rp.states[i - 1] if i else None
            for r, rep in enumerate(state.replicas):
                if prev is not None and prev.replicas[r] == rep:
                    continue
                note = f"e{rep.epoch} log {len(rep.log)} c{rep.commit}"
                self.text(d, note, self.rx(r) + 6, self.y(i) + 24, size=9, color="#555", anchor="start")
            for s, sess in enumerate(state.sessions):
                if prev is not None and prev.sessions[s].token == sess.token:
                    continue
                t = sess.token
                self.text(d, f"token ({t.epoch},{t.lsn})", self.sx(s) + 6, self.y(i) + 24, size=9,
                          color="#555", anchor="start")

    def steps(self):
        rp = self.rp
        self.text(self.d, "start", 16, self.y(0) + 4, size=12, anchor="start", weight="bold", halo=False)
        for r in rp.steps:
            g = draw.Group()
            g.append_title("\n".join([f"step {r.index}: {r.text}", *r.changes,
                                      *[f"BROKEN {v.property}: {v.message}" for v in r.new]]))
            g.append(draw.Rectangle(0, TOP + ROW * r.index, self.width, ROW, fill="white", fill_opacity=0))
            before, after = rp.states[r.index - 1], rp.states[r.index]
            self.text(g, f"{r.index}. {step_name(r.action)}", 16, self.y(r.index) - 2, size=12,
                      anchor="start", weight="bold", halo=False)
            detail = _detail(r.action, self.cfg)
            if len(detail) > 40:
                detail = detail[:38] + "..."
            self.text(g, detail, 16, self.y(r.index) + 13, size=10, color="#555", anchor="start", halo=False)
            self.draw_step(g, r.index, r.action, before, after)
            for k, v in enumerate(r.new):
                bold = rp.outcome.step == r.index and v.property == rp.outcome.property
                self.text(g, f"BROKEN: {v.property}", self.width - RIGHT + 10, self.y(r.index) + 4 + 13 * k,
                          size=10.5, color=C_FAULT, anchor="start", weight="bold" if bold else "normal")
            self.d.append(g)

    # ------------------------------------------------------------------ one step
    def draw_step(self, g, i: int, a, before: State, after: State):
        cfg, name = self.cfg, step_name(a)
        new_events = after.history[len(before.history):]
        if name == "client_write":
            rep = after.replicas[a.at]
            e = rep.log[-1]
            who = "system" if a.session == SYSTEM else f"s{a.session}"
            label = f"{who}: {_op(e.op)} ({e.epoch},{e.lsn})"
            self.arrow(g, self.sx(a.session), self.rx(a.at), i, C_WRITE, label)
            self._box(g, self.rx(a.at), i, C_WRITE)
        elif name == "replicate_to_passive":
            pp = after.orchestrator.roles[after.replicas[a.source].epoch - 1][1]
            self.arrow(g, self.rx(a.source), self.rx(pp), i, C_REPL,
                       _copied(before.replicas[pp], after.replicas[pp]))
        elif name == "acknowledge":
            x = self.rx(a.replica)
            g.append(draw.Circle(x, self.y(i), 6, fill=C_ACK, stroke="white"))
            self.text(g, f"commit {before.replicas[a.replica].commit}->{after.replicas[a.replica].commit}",
                      x + 9, self.y(i) - 8, size=10, color=C_ACK, anchor="start")
            acks: dict[int, list] = {}
            for ev in new_events:
                if isinstance(ev, Acked) and ev.entry.session != SYSTEM:
                    acks.setdefault(ev.entry.session, []).append(ev.entry)
            for s, entries in acks.items():
                last = entries[-1]
                label = f"ack ({last.epoch},{last.lsn})" if len(entries) == 1 else \
                    f"ack {len(entries)} up to ({last.epoch},{last.lsn})"
                self.arrow(g, x, self.sx(s), i, C_ACK, label, dash="5,3", lift=6, at=0.78)
        elif name == "replicate_to_secondary":
            src = after.orchestrator.ap
            self.arrow(g, self.rx(src), self.rx(a.replica), i, C_REPL,
                       _copied(before.replicas[a.replica], after.replicas[a.replica]), dash="2,3")
        elif name == "rejoin":
            b, f = before.replicas[a.replica], after.replicas[a.replica]
            dropped = len(b.log) - len(f.log)
            label = f"rejoin e{f.epoch}" + (f", drop {dropped}" if dropped > 0 else "")
            self.arrow(g, self.rx(after.orchestrator.ap), self.rx(a.replica), i, C_REPL, label, dash="1,3")
        elif name == "read":
            sess = before.sessions[a.session]
            r = sess.replica
            if before.replicas[r].log != after.replicas[r].log or before.replicas[r].commit != after.replicas[r].commit:
                self.arrow(g, self.rx(after.orchestrator.ap), self.rx(r), i, C_REPL,
                           "pull " + _copied(before.replicas[r], after.replicas[r]), dash="2,3", lift=-8)
            ev = next((e for e in new_events if isinstance(e, ReadServed)), None)
            seen = len(ev.seen) if ev else 0
            self.arrow(g, self.rx(r), self.sx(a.session), i, C_READ, f"read: up to LSN {seen}", lift=8)
        elif name == "move_session":
            x = self.sx(a.session)
            g.append(draw.Rectangle(x - 5, self.y(i) - 5, 10, 10, fill=C_READ))
            self.text(g, f"-> {cfg.name_of(a.replica)} (logical #{after.sessions[a.session].logical})",
                      x, self.y(i) - 10, size=10, color=C_READ)
        elif name in ("crash", "lose_disk"):
            self._cross(g, self.rx(a.replica), i, "crash" if name == "crash" else "disk lost")
        elif name == "recover":
            x = self.rx(a.replica)
            g.append(draw.Circle(x, self.y(i), 6, fill=C_REPL, stroke="white"))
            self.text(g, "recover", x, self.y(i) - 10, size=10, color=C_REPL)
        elif name == "lose_region":
            for r in cfg.replicas:
                if cfg.region_of(r) == a.region:
                    self._cross(g, self.rx(r), i, "region lost")
        elif name in ("partition", "heal"):
            x1, x2 = sorted((self.rx(a.a), self.rx(a.b)))
            color = C_FAULT if name == "partition" else C_REPL
            g.append(draw.Line(x1, self.y(i), x2, self.y(i), stroke=color, stroke_width=2,
                               stroke_dasharray="7,4"))
            for x in (x1, x2):
                g.append(draw.Circle(x, self.y(i), 4, fill=color))
            self.text(g, "link cut" if name == "partition" else "link healed", (x1 + x2) / 2,
                      self.y(i) - 6, size=10, color=color)
        elif name in ("emergency_failover", "planned_failover", "replace_passive"):
            ox = self.lx("orch", None)
            y = self.y(i)
            g.append(draw.Lines(ox, y - 8, ox + 8, y, ox, y + 8, ox - 8, y, close=True, fill=C_ORCH))
            fo = next((e for e in new_events if isinstance(e, FailedOver)), None)
            o = after.orchestrator
            self.text(g, f"{(fo.kind if fo else name)} -> epoch {o.epoch}", ox, y - 12, size=10, color=C_ORCH)
            self.arrow(g, ox, self.rx(o.ap), i, C_ORCH, "", dash="6,3", lift=4)
            self.arrow(g, ox, self.rx(o.pp), i, C_ORCH, "", dash="6,3", lift=12)
            self.text(g, f"AP e{o.epoch}", self.rx(o.ap) + 8, y - 4, size=10, color=C_ORCH,
                      anchor="start", weight="bold")
            self.text(g, f"PP e{o.epoch}", self.rx(o.pp) + 8, y - 4, size=10, color=C_ORCH,
                      anchor="start", weight="bold")
        elif name == "tick":
            ox = self.lx("orch", None)
            snaps = len([s for s in after.snapshots if s not in before.snapshots])
            g.append(draw.Circle(ox, self.y(i), 5, fill="white", stroke=C_ORCH, stroke_width=1.5))
            self.text(g, f"day {before.day} -> {after.day}", ox, self.y(i) - 9, size=10, color=C_ORCH)
            if snaps:
                self.text(g, f"{snaps} snapshot{'s' if snaps > 1 else ''}", ox, self.y(i) + 18, size=9,
                          color="#666")

    def _box(self, g, x: float, i: int, color: str):
        g.append(draw.Rectangle(x - 6, self.y(i) + 3, 12, 12, fill=color, stroke="white"))

    def _cross(self, g, x: float, i: int, label: str):
        y = self.y(i)
        for dx in (-7, 7):
            g.append(draw.Line(x - dx, y - 7, x + dx, y + 7, stroke=C_FAULT, stroke_width=3))
        self.text(g, label, x, y - 11, size=10, color=C_FAULT, weight="bold")

    def footer(self):
        d, y = self.d, self.bottom + 24
        color = C_FAULT if self.rp.outcome.status != "held" else C_REPL
        for k, line in enumerate(self.verdict):
            self.text(d, line, 16, y + 16 * k, size=12 if k == 0 else 11, color=color if k == 0 else "#444",
                      anchor="start", weight="bold" if k == 0 else "normal", halo=False)
        y += 16 * len(self.verdict) + 18
        items = [("AP", C_AP, 5, None), ("PP", C_PP, 4, None), ("deposed AP", C_DEPOSED, 4, "8,3"),
                 ("secondary", C_SEC, 1.5, None),
                 ("down", "#bbbbbb", 2, "4,4"), ("write", C_WRITE, 1.8, None),
                 ("replication", C_REPL, 1.8, None), ("async copy", C_REPL, 1.8, "2,3"),
                 ("ack", C_ACK, 1.8, "5,3"), ("read", C_READ, 1.8, None),
                 ("failover", C_ORCH, 1.8, "6,3")]
        x = 16
        self.text(d, "legend:", x, y + 4, size=10, color="#666", anchor="start", halo=False)
        x += 50
        for label, color, w, dash in items:
            kw = dict(stroke=color, stroke_width=w)
            if dash:
                kw["stroke_dasharray"] = dash
            d.append(draw.Line(x, y, x + 26, y, **kw))
            self.text(d, label, x + 31, y + 4, size=10, color="#444", anchor="start", halo=False)
            x += 40 + 6.2 * len(label) + 10
        for mk in (self._cross_legend,):
            mk(x, y)

    def _cross_legend(self, x: float, y: float):
        for dx in (-5, 5):
            self.d.append(draw.Line(x + 6 - dx, y - 5, x + 6 + dx, y + 5, stroke=C_FAULT, stroke_width=2.5))
        self.text(self.d, "fault", x + 16, y + 4, size=10, color="#444", anchor="start", halo=False)

    def render(self) -> str:
        self.header()
        self.lanes_and_rows()
        self.replica_notes()
        self.steps()
        self.footer()
        return self.d.as_svg()


def _detail(action, cfg) -> str:
    if step_name(action) == "client_write":
        who = "system" if action.session == SYSTEM else f"session {action.session}"
        return f"{who} -> {cfg.name_of(action.at)}: {_op(action.op)}"
    return describe_action(action, cfg).split(": ", 1)[-1]


def _op(op) -> str:
    name = type(op).__name__
    if name == "Update":
        return f"Update o{op.obj}.{op.attr}={op.value}"
    if name == "RecoverFromBackup":
        return f"Recover o{op.obj} (day {op.snapshot_day})"
    return f"{name} o{op.obj}"


def _copied(before, after) -> str:
    p = 0
    while p < min(len(before.log), len(after.log)) and before.log[p] == after.log[p]:
        p += 1
    added = after.log[p:]
    parts = []
    if len(before.log) > p:
        parts.append(f"drop {len(before.log) - p}")
    if added:
        first, last = added[0], added[-1]
        parts.append(f"+({first.epoch},{first.lsn})" if len(added) == 1 else
                     f"+({first.epoch},{first.lsn})..({last.epoch},{last.lsn})")
    if after.commit != before.commit:
        parts.append(f"commit {before.commit}->{after.commit}")
    return ", ".join(parts) or "nothing new"


def svg(rp: Replay) -> str:
    """The space-time diagram of a replay, as an SVG document."""
    return _Canvas(rp).render()


def html_page(rp: Replay, path: str = "") -> str:
    """A self-contained HTML page: the diagram (inline SVG) and the step list."""
    from dirproof.replay import report_lines
    picture = svg(rp)
    picture = picture[picture.index("<svg"):]
    report = html.escape("\n".join(report_lines(rp, path)))
    title = html.escape(f"dirproof counterexample: {rp.cx.property}")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: {FONT}; margin: 1.5em; color: #222; }}
.picture {{ overflow-x: auto; border: 1px solid #ddd; }}
pre {{ background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: 13px; }}
</style></head>
<body>
<h1 style="font-size: 1.3em">{title}</h1>
<p>Hover a step in the diagram for its full diff; the steps and what each changed are listed below.</p>
<div class="picture">
{picture}
</div>
<h2 style="font-size: 1.1em">Steps</h2>
<pre>{report}</pre>
</body></html>
"""
