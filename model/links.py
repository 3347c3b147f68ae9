"""Group memberships: links between a user and a group (issue 14, item 3).

design.md §3 gives objects an id and attributes; the links between them are
this model's extension (docs/model.md, "Links, typed deletes and expiry").
A membership is stored on the member: a user's record holds one flag per
object id, set only for ids of groups (`ObjectRecord.links`). Storing it
once, on one side, is what makes soft delete capture the object with its
links and restore bring back the closure in one entry: a soft-deleted
user keeps its flags, a soft-deleted group keeps its members' flags
(nobody can change them while it is not live), and the restore is one log
entry that folds both back at once. A link is active only while both ends
are live; the flags of a gone object stay in its tombstone, never active.

Membership changes are writes like any other: they need both ends live
and an AP (during an outage they stop, as the seeds say of the backup
authentication system).
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from .algebra import AND, NOT, require
from .config import Config
from .objects import ABSENT, LIVE, ObjectRecord, Operation, OpContext, View, _put, existing, is_, kind_of, status


def member_pairs(config: Config) -> tuple[tuple[int, int], ...]:
    """Every (user, group) pair of ids that may be linked (none when
    memberships are off)."""
    if not config.memberships:
        return ()
    ids = range(config.objects)
    return tuple((u, g) for u in ids for g in ids if kind_of(u) == "user" and kind_of(g) == "group")


def no_links(config: Config) -> tuple:
    return (False,) * config.objects


def links_of(rec: Optional[ObjectRecord], config: Config) -> tuple:
    """A record's membership flags (none for no record)."""
    return no_links(config) if rec is None or not rec.links else rec.links


def linkset(view: View, obj: int, config: Config) -> tuple:
    """The memberships that involve `obj`, stored anywhere in the view: a
    user's own flags, a group's members' flags (of users that exist)."""
    own = tuple(links_of(view[u], config)[g] for u, g in member_pairs(config) if u == obj)
    members = tuple(AND(NOT(is_(view[u], ABSENT)), links_of(view[u], config)[g])
                    for u, g in member_pairs(config) if g == obj)
    return own + members


def _set_link(view: View, user: int, group: int, value: bool, config: Config) -> View:
    rec = existing(view, user)
    old = links_of(rec, config)
    return _put(view, user, attrs.evolve(rec, links=old[:group] + (value,) + old[group + 1:]))


class _Membership(Operation):
    obj: int
    group: int

    def _check_ends(self, view: View, ctx: OpContext) -> None:
        cfg = ctx.config
        require(cfg.memberships > 0, "group memberships are off in this configuration (memberships = 0)")
        require(0 <= self.group < cfg.objects,
                lambda: f"no object {self.group}: the partition holds objects 0..{cfg.objects - 1}")
        require(kind_of(self.obj) == "user",
                lambda: f"only users are members of groups here: object {self.obj} is a {kind_of(self.obj)}")
        require(kind_of(self.group) == "group",
                lambda: f"object {self.group} is a {kind_of(self.group)}, not a group")
        for end, what in ((self.obj, "the memberships of object"), (self.group, "the members of group")):
            rec = view[end]
            require(NOT(is_(rec, ABSENT)), lambda e=end, w=what: f"cannot change {w} {e}: it does not exist")
            require(is_(rec, LIVE), lambda e=end, w=what, r=rec: f"cannot change {w} {e}: it is {status(r)}, not live")


@attrs.frozen
class AddMember(_Membership):
    """Make the live user `obj` a member of the live group `group`."""

    obj: int
    group: int

    def check(self, view: View, ctx: OpContext) -> None:
        self._check_ends(view, ctx)
        require(NOT(links_of(view[self.obj], ctx.config)[self.group]),
                lambda: f"object {self.obj} is already a member of group {self.group}")

    def apply(self, view: View, config: Config, entry: Any, replica: int) -> View:
        return _set_link(view, self.obj, self.group, True, config)


@attrs.frozen
class RemoveMember(_Membership):
    """Take the live user `obj` out of the live group `group`."""

    obj: int
    group: int

    def check(self, view: View, ctx: OpContext) -> None:
        self._check_ends(view, ctx)
        require(links_of(view[self.obj], ctx.config)[self.group],
                lambda: f"object {self.obj} is not a member of group {self.group}")

    def apply(self, view: View, config: Config, entry: Any, replica: int) -> View:
        return _set_link(view, self.obj, self.group, False, config)
