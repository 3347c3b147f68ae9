"""The picture of a violation found in an event log, in the style of the
counterexample pictures (dirproof/picture.py, whose colours it shares).

One lane per replica (grouped by region) and per client session; one row
per log line shown: the lines that show the violation, the protocol events
(failovers, crashes, rejoins) and a little context, with the lines skipped
between them counted. A replica's lane is thick blue while it is the
active primary, teal while passive primary, dashed while down. The rows of
the violation are red bands; the verdict is written under the diagram.
"""

from __future__ import annotations

import textwrap
from typing import Optional

import drawsvg as draw

from dirproof.picture import (C_ACK, C_AP, C_BREAK, C_FAULT, C_ORCH, C_PP, C_READ, C_REPL, C_SEC, C_WRITE,
                              FONT)

from .events import PROTOCOL_EVENTS, Line, Log
from .forms import Finding
from .report import Verdict, position

ROW, LANE, LEFT, TOP = 46, 120, 230, 112


def _rows(log: Log, marked: set, context: int = 1) -> list[Optional[Line]]:
    """The lines to draw, with None where lines were skipped."""
    keep: set[int] = set()
    for i, ln in enumerate(log.lines):
        if ln.no in marked or ln.event in PROTOCOL_EVENTS and ln.event != "caught-up":
            keep.update(range(max(0, i - context), min(len(log.lines), i + context + 1)))
    out: list[Optional[Line]] = []
    for i, ln in enumerate(log.lines):
        if i in keep:
            out.append(ln)
        elif out and out[-1] is not None:
            out.append(None)
    return out


class _Canvas:
    def __init__(self, v: Verdict, title: str, marked: set, failing: Optional[int]):
        self.v, self.log = v, v.log
        log = self.log
        regions = list(dict.fromkeys(r["region"] for r in log.header["replicas"]))
        self.replicas = [r["name"] for g in regions for r in log.header["replicas"] if r["region"] == g]
        self.regions = regions
        self.sessions = list(dict.fromkeys(str(ln.get("session")) for ln in log.lines
                                           if ln.event in ("invoke-write", "invoke-read")))
        lanes = [("rep", r) for r in self.replicas] + [("sess", s) for s in self.sessions]
        self.x = {k: LEFT + LANE // 2 + i * LANE for i, k in enumerate(lanes)}
        self.rows = _rows(log, marked)
        self.marked, self.failing, self.title = marked, failing, title
        self.width = LEFT + LANE * len(lanes) + 40
        self.verdict = [w for line in self._verdict() for w in (textwrap.wrap(line, (self.width - 40) // 7) or [""])]
        self.bottom = TOP + ROW * len(self.rows)
        self.d = draw.Drawing(self.width, self.bottom + 40 + 16 * len(self.verdict), font_family=FONT)
        self.d.append(draw.Rectangle(0, 0, self.width, self.bottom + 40 + 16 * len(self.verdict), fill="white"))
        self.markers: dict = {}

    def _verdict(self) -> list[str]:
        out = []
        for f in self.v.violated:
            out.append(f"{f.property} is violated: {f.message}")
        b = self.v.behaviour
        if b is not None and not b.ok and b.failed is not None:
            out.append(f"not a behaviour of the model: line {b.failed.no} cannot happen after line "
                       f"{b.last_matched or 0}: " + "; ".join(r for r, _ in b.reasons[:2]))
        return out or ["every judged property holds"]

    def text(self, s: str, x: float, y: float, size: float = 10, color: str = "#222", anchor: str = "middle",
             weight: str = "normal"):
        self.d.append(draw.Text(s, size, x, y, text_anchor=anchor, fill=color, font_weight=weight,
                                stroke="white", stroke_width=3, paint_order="stroke"))

    def marker(self, color: str):
        if color not in self.markers:
            m = draw.Marker(-0.1, -0.5, 0.9, 0.5, scale=7, orient="auto")
            m.append(draw.Lines(-0.1, -0.5, -0.1, 0.5, 0.9, 0, fill=color, close=True))
            self.markers[color] = m
        return self.markers[color]

    def arrow(self, x1: float, x2: float, y: float, color: str, label: str, dash: Optional[str] = None):
        kw = dict(stroke=color, stroke_width=1.8, marker_end=self.marker(color))
        if dash:
            kw["stroke_dasharray"] = dash
        self.d.append(draw.Line(x1, y - 6, x2 - (6 if x2 > x1 else -6), y + 6, **kw))
        self.text(label, (x1 + x2) / 2, y - 9, color=color)

    def header(self):
        self.text(self.title, 16, 24, size=16, anchor="start", weight="bold")
        h = self.log.header
        self.text(f"{h.get('system', 'event log')}; observer {self.log.observer}; {len(self.log.lines)} events "
                  f"({len(self.rows)} rows shown)", 16, 42, size=11, color="#555", anchor="start")
        for g in self.regions:
            xs = [self.x[("rep", r)] for r in self.replicas if self.log.region(r) == g]
            self.d.append(draw.Rectangle(min(xs) - LANE / 2 + 4, 54, max(xs) - min(xs) + LANE - 8, 18, rx=4,
                                         fill="#eef2f7", stroke="#c5d0de"))
            self.text(f"region {g}", (min(xs) + max(xs)) / 2, 67, size=11, color="#445")
        for (kind, who), x in self.x.items():
            self.text(who if kind == "rep" else f"session {who}", x, 92, size=12, weight="bold")
        self.text("log line", 16, 104, size=11, color="#666", anchor="start")

    def lanes(self):
        roles = self.log.header.get("roles", {})
        ap, pp, down = roles.get("ap"), roles.get("pp"), set()
        for i, ln in enumerate(self.rows):
            y0 = TOP + ROW * i
            if ln is not None:
                if ln.no in self.marked:
                    self.d.append(draw.Rectangle(0, y0, self.width, ROW, fill=C_BREAK if ln.no != self.failing
                                                 else "#f4a89c"))
                if ln.event == "promote":
                    ap, pp = ln.get("replica"), ln.get("pp", pp)
                elif ln.event == "crash":
                    down.add(ln.get("replica"))
                elif ln.event == "recover":
                    down.discard(ln.get("replica"))
            for r in self.replicas:
                x = self.x[("rep", r)]
                if r in down:
                    kw = dict(stroke="#bbbbbb", stroke_width=2, stroke_dasharray="4,4")
                else:
                    kw = dict(stroke=C_AP if r == ap else C_PP if r == pp else C_SEC,
                              stroke_width=5 if r == ap else 4 if r == pp else 1.5)
                self.d.append(draw.Line(x, y0, x, y0 + ROW, **kw))
            for s in self.sessions:
                x = self.x[("sess", s)]
                self.d.append(draw.Line(x, y0, x, y0 + ROW, stroke=C_READ, stroke_width=1.2, stroke_opacity=0.6))

    def events(self):
        pending: dict = {}
        for i, ln in enumerate(self.rows):
            y = TOP + ROW * i + ROW / 2
            if ln is None:
                self.text("...", 16, y + 4, size=12, color="#888", anchor="start")
                continue
            self.text(f"{ln.no}: {ln.event}", 16, y + 4, size=11, anchor="start",
                      weight="bold" if ln.no in self.marked else "normal")
            self.draw_line(ln, y, pending)

    def draw_line(self, ln: Line, y: float, pending: dict):
        log, e = self.log, ln.event
        rx = lambda r: self.x[("rep", r)]  # noqa: E731
        if e in ("invoke-write", "invoke-read"):
            pending[ln.get("id"), e] = ln
            s = self.x[("sess", str(ln.get("session")))]
            if e == "invoke-write":
                op = ln.get("op", {})
                self.arrow(s, rx(ln.get("replica") or self.replicas[0]), y, C_WRITE,
                           f"{ln.get('id')}: {op.get('op')} o{op.get('obj', '?')}")
            else:
                tok = ln.get("token") or {}
                self.arrow(s, rx(ln.get("replica")), y, C_READ, f"read, token {position(log, tok.get('epoch', 0), tok.get('lsn', 0))}",
                           dash="2,3")
        elif e in ("ack", "write-failed", "write-unknown"):
            w = log.writes[ln.get("id")]
            s = self.x[("sess", str(w.invoke.get("session")))]
            src = rx(ln.get("replica") or w.invoke.get("replica") or self.replicas[0])
            label = f"ack {ln.get('id')} {position(log, ln.get('epoch'), ln.get('lsn'))}" if e == "ack" \
                else f"{e.split('-')[1]}: {ln.get('id')}"
            self.arrow(src, s, y, C_ACK if e == "ack" else C_FAULT, label, dash="5,3")
        elif e in ("read-ok", "read-failed"):
            r = log.reads[ln.get("id")]
            s = self.x[("sess", str(r.invoke.get("session")))]
            label = (f"saw {len(ln.get('seen'))} writes at {position(log, ln.get('epoch'), ln.get('lsn'))}"
                     if e == "read-ok" else "read failed")
            self.arrow(rx(r.invoke.get("replica")), s, y, C_READ if e == "read-ok" else C_FAULT, label)
        elif e == "crash":
            x = rx(ln.get("replica"))
            for dx in (-7, 7):
                self.d.append(draw.Line(x - dx, y - 7, x + dx, y + 7, stroke=C_FAULT, stroke_width=3))
            self.text(ln.get("how") or "crash", x, y - 10, color=C_FAULT, weight="bold")
        elif e == "recover":
            x = rx(ln.get("replica"))
            self.d.append(draw.Circle(x, y, 6, fill=C_REPL, stroke="white"))
            self.text("recover", x, y - 10, color=C_REPL)
        elif e == "promote":
            x = rx(ln.get("replica"))
            self.d.append(draw.Lines(x, y - 8, x + 8, y, x, y + 8, x - 8, y, close=True, fill=C_ORCH))
            self.text(f"AP of epoch {ln.get('epoch')}" + (f", PP {ln.get('pp')}" if ln.get("pp") else ""),
                      x, y - 11, color=C_ORCH, weight="bold")
        elif e in ("rejoin", "caught-up"):
            x = rx(ln.get("replica"))
            self.d.append(draw.Circle(x, y, 4, fill="white", stroke=C_REPL, stroke_width=1.5))
            label = f"rejoin e{ln.get('epoch', '?')}" if e == "rejoin" else \
                f"at {position(log, ln.get('epoch'), ln.get('lsn'))}"
            self.text(label, x + 8, y - 6, color=C_REPL, anchor="start")
        elif e in ("partition", "heal"):
            x1, x2 = sorted((rx(ln.get("a")), rx(ln.get("b"))))
            color = C_FAULT if e == "partition" else C_REPL
            self.d.append(draw.Line(x1, y, x2, y, stroke=color, stroke_width=2, stroke_dasharray="7,4"))
            self.text("link cut" if e == "partition" else "link healed", (x1 + x2) / 2, y - 6, color=color)

    def footer(self):
        y = self.bottom + 26
        for k, line in enumerate(self.verdict):
            self.text(line, 16, y + 16 * k, size=12 if k == 0 else 11, color=C_FAULT if self.v.exit_code else C_REPL,
                      anchor="start", weight="bold" if k == 0 else "normal")

    def render(self) -> str:
        self.header()
        self.lanes()
        self.events()
        self.footer()
        return self.d.as_svg()


def svg(v: Verdict, finding: Optional[Finding] = None) -> str:
    """The space-time diagram of a log's first violation (or of its protocol
    events when nothing broke), as an SVG document."""
    finding = finding or (v.violated[0] if v.violated else None)
    marked = set(finding.lines) if finding else set()
    failing = max(finding.lines) if finding else None
    b = v.behaviour
    if finding is None and b is not None and not b.ok and b.failed is not None:
        marked, failing = {b.failed.no} | ({b.last_matched} if b.last_matched else set()), b.failed.no
    title = f"dirproof conform: {finding.property}" if finding else (
        "dirproof conform: not a behaviour of the model" if marked else "dirproof conform: holds")
    return _Canvas(v, title, marked, failing).render()
