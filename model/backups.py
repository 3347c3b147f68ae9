"""Time, daily snapshots and the difference report (design.md §3, Backups).

The clock is explicit: it moves only by `tick`. Every `snapshot_every_days`
days the service snapshots the acting AP's committed directory and keeps the
last `snapshots_kept`. (If no AP is serving at that moment the day's
snapshot is skipped: the model's choice, written in docs/model.md.)
"""

from __future__ import annotations

import attrs

from .algebra import require
from .objects import GONE, View, view_of
from .records import evolve
from .state import Snapshot, State, acting_ap


def committed_view(state: State, replica: int) -> View:
    rep = state.replicas[replica]
    return view_of(state.config, rep.log[:rep.commit], replica)


def _due_days(start: int, end: int, every: int, kept: int) -> list[int]:
    """The last `kept` snapshot days in (start, end], newest first."""
    last = end - end % every
    return [d for d in range(last, max(start, last - every * kept), -every) if d > start][:kept]


def tick(state: State, days: int = 1) -> State:
    """§3 time: the clock advances by `days` whole days, taking snapshots.

    Only the object layer reads the clock and the snapshots, so the
    replication encoding sees a tick as a stutter (it modifies neither).
    """
    require(days >= 1, lambda: f"time moves forward only: cannot tick {days} days")
    cfg = state.config
    start, end = state.day, state.day + days
    due = _due_days(start, end, cfg.snapshot_every_days, cfg.snapshots_kept)
    snaps = state.snapshots
    ap = acting_ap(state)
    if due and ap is not None:
        view = committed_view(state, ap)
        snaps = (snaps + tuple(Snapshot(d, view) for d in reversed(due)))[-cfg.snapshots_kept:]
    return evolve(state, day=end, snapshots=snaps)


@attrs.frozen
class Difference:
    """A difference report: what changed since a snapshot (design.md §3)."""

    created: tuple[int, ...]
    changed: tuple[tuple[int, tuple[int, ...]], ...]  # (object, changed attribute indexes)
    deleted: tuple[int, ...]  # soft-deleted, permanently deleted or purged since


def difference_report(snapshot: Snapshot, now: View) -> Difference:
    """Compare current objects with a snapshot: created, changed, deleted."""
    created, changed, deleted = [], [], []
    for obj, (old, new) in enumerate(zip(snapshot.view, now)):
        live_then = old is not None and old.status != GONE
        live_now = new is not None and new.status != GONE
        if not live_then and live_now:
            created.append(obj)
        elif live_then and (not live_now or (new.status != old.status and new.deleted_day is not None)):
            deleted.append(obj)
        elif live_then and live_now:
            diff = tuple(i for i, (a, b) in enumerate(zip(old.attrs, new.attrs)) if a != b)
            if diff:
                changed.append((obj, diff))
    return Difference(tuple(created), tuple(changed), tuple(deleted))
