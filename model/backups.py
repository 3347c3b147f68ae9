"""Time, daily snapshots and the difference report (design.md §3, Backups).

The clock is explicit: it moves only by `tick`. Every `snapshot_every_days`
days the service snapshots the acting AP's committed directory and keeps the
last `snapshots_kept`. (If no AP is serving at that moment the day's
snapshot is skipped: the model's choice, written in docs/model.md.)
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from .algebra import require
from .config import Config
from .objects import GONE, View, view_of
from .records import evolve
from .state import Snapshot, State, acting_ap
from .tombstones import on_tick


def committed_view(state: State, replica: int) -> View:
    rep = state.replicas[replica]
    return view_of(state.config, rep.log[:rep.commit], replica)


def _due(start: int, end: int, every: int) -> bool:
    """Some snapshot day (a multiple of `every`) falls in (start, end]."""
    return end - end % every > start


def _keep_last(snaps: Any, snap: Snapshot, kept: int, when: Any) -> Any:
    """`snaps` with `snap` appended when `when` holds, the oldest dropped
    past `kept` (a symbolic run keeps the snapshots in a bounded sequence,
    dirproof/symbolic/seqs.py, which has the same operation)."""
    if isinstance(snaps, tuple) and type(when) is bool:
        return (snaps + (snap,))[-kept:] if when else snaps
    return snaps.keep_last(snap, when)


def snapshots_after(cfg: Config, snaps: Any, start: Any, end: Any, view: View) -> Any:
    """§3 backups: the kept snapshots after the clock moved from `start` to
    `end` with `view` as the AP's committed directory: one snapshot of it
    for each day in (start, end] that is a multiple of snapshot_every_days
    (at most the last snapshots_kept of them matter), oldest first, and the
    last snapshots_kept of all kept."""
    every, kept = cfg.snapshot_every_days, cfg.snapshots_kept
    last = end if every == 1 else end - end % every  # the newest snapshot day <= end
    for j in range(kept - 1, -1, -1):
        day = last - j * every
        snaps = _keep_last(snaps, Snapshot(day, view), kept, day > start)
    return snaps


def advance(cfg: Config, day: Any, snaps: Any, days: Any, view: Optional[View]) -> tuple[Any, Any]:
    """§3 time: (the new day, the kept snapshots) after `days` whole days,
    snapshotting `view` (None: no AP serves, the snapshots are skipped)."""
    require(days >= 1, lambda: f"time moves forward only: cannot tick {days} days")
    end = day + days
    return end, (snaps if view is None else snapshots_after(cfg, snaps, day, end, view))


def tick(state: State, days: int = 1) -> State:
    """§3 time: the clock advances by `days` whole days, taking snapshots.

    Only the object layer reads the clock and the snapshots, so the
    replication encoding sees a tick as a stutter (it modifies neither);
    the object layer's relation derives its tick from `advance`.
    """
    cfg = state.config
    ap = acting_ap(state)
    due = type(days) is int and _due(state.day, state.day + days, cfg.snapshot_every_days)
    view = committed_view(state, ap) if due and ap is not None else None
    day, snaps = advance(cfg, state.day, state.snapshots, days, view)
    return on_tick(evolve(state, day=day, snapshots=snaps))


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
        if old is None or old.status == GONE:
            if new is not None and new.status != GONE:
                created.append(obj)
        elif new is None or new.status == GONE or (new.status != old.status and new.deleted_day is not None):
            deleted.append(obj)
        else:
            diff = tuple(i for i, (a, b) in enumerate(zip(old.attrs, new.attrs)) if a != b)
            if diff:
                changed.append((obj, diff))
    return Difference(tuple(created), tuple(changed), tuple(deleted))


def oldest_kept_age(cfg: Config) -> int:
    """How many days back the oldest kept snapshot reaches, at most: the
    last `snapshots_kept` snapshot days, `snapshot_every_days` apart."""
    return (cfg.snapshots_kept - 1) * cfg.snapshot_every_days


def purged_live_in_kept_snapshot(cfg: Config) -> bool:
    """Backups deeper than retention (issue 14 item 7): can a kept snapshot
    hold, live, an object that has since been purged? An object live in the
    snapshot of day s is soft-deleted on day s at the earliest and purged
    `retention_days` later, so only if the kept snapshots reach that far
    back. (A purged object is in a kept snapshot as soft-deleted whenever a
    snapshot day falls in its last retention day, on `entra` too.)"""
    return oldest_kept_age(cfg) >= cfg.retention_days
