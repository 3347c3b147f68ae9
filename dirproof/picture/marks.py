"""The marks of one step, drawn from what the step changed, not from which
action it was: a step added to the registry (model/next.py NEXT) is drawn
without an entry here.

* an entry that no replica held before: a write, from the writer's lane;
* entries or a commit point copied to a replica: replication, from the
  step's own replica argument (the sender) or else from the AP (a pull);
* acknowledgements (Acked events): a circle at the acknowledging replica
  and dashed arrows to the writers' sessions;
* reads (ReadServed events): an arrow from the replica to the session;
* a change of roles (a failover, FailedOver events): a diamond on the
  orchestrator's lane and arrows to the new AP and PP;
* a replica going down or up, links cut or healed, a session moving to
  another replica, days passing and snapshots taken.
"""

from __future__ import annotations

from typing import Any

import drawsvg as draw

from dirproof.model import SPECS, SYSTEM, Acked, FailedOver, ReadServed, State

from .canvas import Canvas
from .style import C_ACK, C_FAULT, C_ORCH, C_READ, C_REPL, C_WRITE


def op_label(op: Any) -> str:
    """An operation in a few characters (the picture's labels are short)."""
    name = type(op).__name__
    if name == "Update":
        return f"Update o{op.obj}.{op.attr}={op.value}"
    if name == "RecoverFromBackup":
        return f"Recover o{op.obj} (day {op.snapshot_day})"
    return f"{name} o{getattr(op, 'obj', '?')}"


def copied(before, after) -> str:
    """What a replica's log and commit point gained or lost."""
    p = 0
    while p < min(len(before.log), len(after.log)) and before.log[p] == after.log[p]:
        p += 1
    added = after.log[p:]
    parts = []
    if after.epoch != before.epoch:
        parts.append(f"epoch {before.epoch}->{after.epoch}")
    if len(before.log) > p:
        parts.append(f"drop {len(before.log) - p}")
    if added:
        first, last = added[0], added[-1]
        parts.append(f"+({first.epoch},{first.lsn})" if len(added) == 1 else
                     f"+({first.epoch},{first.lsn})..({last.epoch},{last.lsn})")
    if after.commit != before.commit:
        parts.append(f"commit {before.commit}->{after.commit}")
    return ", ".join(parts) or "nothing new"


def draw_changes(c: Canvas, g, i: int, action: Any, before: State, after: State) -> None:
    """Every mark of step `i`: what changed from `before` to `after`."""
    events = after.history[len(before.history):]
    _logs(c, g, i, action, before, after)
    _acks(c, g, i, before, after, events)
    _reads(c, g, i, events)
    _roles(c, g, i, action, before, after, events)
    _up_down(c, g, i, before, after)
    _links(c, g, i, before, after)
    _sessions(c, g, i, before, after)
    _time(c, g, i, before, after)


def _sender(action: Any, r: int, after: State) -> tuple[int, bool]:
    """Where replica `r`'s new entries came from, and whether they were
    pushed: the step's replica argument when it is another replica (a push,
    as the AP ships to its PP), else the AP (a pull: a copy, a rejoin)."""
    spec = SPECS.get(type(action))
    if spec is not None:
        for name, kind in zip(spec.fields, spec.over):
            if kind == "replica" and getattr(action, name) != r:
                return getattr(action, name), True
    return after.orchestrator.ap, False


def _logs(c: Canvas, g, i: int, action: Any, before: State, after: State) -> None:
    known = {e for rep in before.replicas for e in rep.log}
    read = any(isinstance(ev, ReadServed) for ev in after.history[len(before.history):])
    failover = before.orchestrator.roles != after.orchestrator.roles  # its epochs are drawn by _roles
    for r, (b, a) in enumerate(zip(before.replicas, after.replicas)):
        if (b.log, b.commit, () if failover else b.epoch) == (a.log, a.commit, () if failover else a.epoch) \
                or not a.up:
            continue
        fresh = [e for e in a.log if e not in known]
        for e in fresh:  # a client's (or the system's) write lands here
            who = "system" if e.session == SYSTEM else f"s{e.session}"
            c.arrow(g, c.sx(e.session), c.rx(r), i, C_WRITE, f"{who}: {op_label(e.op)} ({e.epoch},{e.lsn})")
            c.box(g, c.rx(r), i, C_WRITE)
        src, pushed = _sender(action, r, after)
        if fresh or src == r:
            continue  # a write, or its own commit point moved (drawn with its acknowledgements)
        c.arrow(g, c.rx(src), c.rx(r), i, C_REPL, ("pull " if read else "") + copied(b, a),
                dash=None if pushed else "2,3", lift=-8 if read else 0)


def _acks(c: Canvas, g, i: int, before: State, after: State, events) -> None:
    by: dict[int, dict[int, list]] = {}
    for ev in events:
        if isinstance(ev, Acked):
            by.setdefault(ev.replica, {}).setdefault(ev.entry.session, []).append(ev.entry)
    for r, sessions in by.items():
        x = c.rx(r)
        g.append(draw.Circle(x, c.y(i), 6, fill=C_ACK, stroke="white"))
        c.text(g, f"commit {before.replicas[r].commit}->{after.replicas[r].commit}", x + 9, c.y(i) - 8,
               size=10, color=C_ACK, anchor="start")
        for s, entries in sessions.items():
            if s == SYSTEM:
                continue
            last = entries[-1]
            label = f"ack ({last.epoch},{last.lsn})" if len(entries) == 1 else \
                f"ack {len(entries)} up to ({last.epoch},{last.lsn})"
            c.arrow(g, x, c.sx(s), i, C_ACK, label, dash="5,3", lift=6, at=0.78)


def _reads(c: Canvas, g, i: int, events) -> None:
    for ev in events:
        if isinstance(ev, ReadServed):
            c.arrow(g, c.rx(ev.replica), c.sx(ev.session), i, C_READ, f"read: up to LSN {len(ev.seen)}", lift=8)


def _roles(c: Canvas, g, i: int, action: Any, before: State, after: State, events) -> None:
    o = after.orchestrator
    if before.orchestrator.roles == o.roles:
        return
    ox, y = c.ox(), c.y(i)
    g.append(draw.Lines(ox, y - 8, ox + 8, y, ox, y + 8, ox - 8, y, close=True, fill=C_ORCH))
    fo = next((e for e in events if isinstance(e, FailedOver)), None)
    kind = fo.kind if fo else SPECS[type(action)].name if type(action) in SPECS else "new roles"
    c.text(g, f"{kind} -> epoch {o.epoch}", ox, y - 12, size=10, color=C_ORCH)
    c.arrow(g, ox, c.rx(o.ap), i, C_ORCH, "", dash="6,3", lift=4)
    c.arrow(g, ox, c.rx(o.pp), i, C_ORCH, "", dash="6,3", lift=12)
    for r, role in ((o.ap, "AP"), (o.pp, "PP")):
        c.text(g, f"{role} e{o.epoch}", c.rx(r) + 8, y - 4, size=10, color=C_ORCH, anchor="start", weight="bold")


def _up_down(c: Canvas, g, i: int, before: State, after: State) -> None:
    down = [r for r, (b, a) in enumerate(zip(before.replicas, after.replicas)) if b.up and not a.up]
    for r in down:
        lost = before.replicas[r].log and not after.replicas[r].log
        c.cross(g, c.rx(r), i, "region lost" if len(down) > 1 else "disk lost" if lost else "crash")
    for r, (b, a) in enumerate(zip(before.replicas, after.replicas)):
        if a.up and not b.up:
            g.append(draw.Circle(c.rx(r), c.y(i), 6, fill=C_REPL, stroke="white"))
            c.text(g, "recover", c.rx(r), c.y(i) - 10, size=10, color=C_REPL)


def _links(c: Canvas, g, i: int, before: State, after: State) -> None:
    changes = [(p, True) for p in after.cut if p not in before.cut]
    changes += [(p, False) for p in before.cut if p not in after.cut]
    for (ra, rb), cut in changes:
        x1, x2 = sorted((c.rx(ra), c.rx(rb)))
        color = C_FAULT if cut else C_REPL
        g.append(draw.Line(x1, c.y(i), x2, c.y(i), stroke=color, stroke_width=2, stroke_dasharray="7,4"))
        for x in (x1, x2):
            g.append(draw.Circle(x, c.y(i), 4, fill=color))
        c.text(g, "link cut" if cut else "link healed", (x1 + x2) / 2, c.y(i) - 6, size=10, color=color)


def _sessions(c: Canvas, g, i: int, before: State, after: State) -> None:
    for s, (b, a) in enumerate(zip(before.sessions, after.sessions)):
        if (b.replica, b.logical) != (a.replica, a.logical):
            x = c.sx(s)
            g.append(draw.Rectangle(x - 5, c.y(i) - 5, 10, 10, fill=C_READ))
            c.text(g, f"-> {c.cfg.name_of(a.replica)} (logical #{a.logical})", x, c.y(i) - 10, size=10,
                   color=C_READ)


def _time(c: Canvas, g, i: int, before: State, after: State) -> None:
    if before.day == after.day:
        return
    ox = c.ox()
    snaps = len([s for s in after.snapshots if s not in before.snapshots])
    g.append(draw.Circle(ox, c.y(i), 5, fill="white", stroke=C_ORCH, stroke_width=1.5))
    c.text(g, f"day {before.day} -> {after.day}", ox, c.y(i) - 9, size=10, color=C_ORCH)
    if snaps:
        c.text(g, f"{snaps} snapshot{'s' if snaps > 1 else ''}", ox, c.y(i) + 18, size=9, color="#666")
