"""Typed permanent deletes and expiry (issue 14, items 4 and 6; design.md §3).

Both end an object's life only through soft delete and its retention or an
explicit permanent delete of a soft-deleted object: a bulk permanent delete
names the kind of the ids it is given, and an expiry soft-deletes.
docs/model.md, "Links, typed deletes and expiry".
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from .algebra import OR, require
from .config import KINDS, Config, expiry_days
from .objects import (GONE, LIVE, SOFT_DELETED, Operation, OpContext, PermanentDelete, SoftDelete, View, _put,
                      _require_status, existing, kind_of)
from .records import evolve


@attrs.frozen
class BulkDelete(PermanentDelete):
    """One element of an admin's bulk permanent delete of objects of `kind`,
    by typed id (issue 14; design.md §3 permanent delete): the id must name
    an object of that kind, and the object must be soft-deleted. Flaw
    `delete-wrong-kind`: the kind is not checked, so a delete meant for
    groups removes the user whose id it was given (the public incident
    class: a cleanup script fed ids of the wrong type)."""

    obj: int
    kind: str

    def check(self, view: View, ctx: OpContext) -> None:
        require(self.kind in KINDS, lambda: f"no kind {self.kind!r}; kinds are {', '.join(KINDS)}")
        require(OR(ctx.config.has("delete-wrong-kind"), self.kind == kind_of(self.obj)),
                lambda: f"cannot delete object {self.obj} as a {self.kind}: it is a {kind_of(self.obj)}")
        PermanentDelete.check(self, view, ctx)


@attrs.frozen
class Expire(Operation):
    """The system expires a live object whose kind has an expiry policy and
    whose lifetime (from its creation) has passed (issue 14; the Entra group
    expiration policy): it is soft-deleted, so it stays restorable through
    retention and only a purge removes it. Flaw `implicit-expiry`: a kind
    without a policy gets an implicit one of 0 days that removes a live
    object at once (gone, no retention)."""

    obj: int
    system: ClassVar[bool] = True

    def check(self, view: View, ctx: OpContext) -> None:
        kind, lifetime = kind_of(self.obj), expiry_days(ctx.config, kind_of(self.obj))
        require(lifetime > 0 or ctx.config.has("implicit-expiry"),
                lambda: f"cannot expire object {self.obj}: a {kind} has no expiry policy")
        _require_status(view, self.obj, LIVE, "expire")
        if lifetime > 0:  # a configuration value: the age is read only under a policy
            age = ctx.day - existing(view, self.obj).born
            require(age >= lifetime, lambda: f"cannot expire object {self.obj}: created {age} days ago, "
                                             f"a {kind} expires after {lifetime} days")

    def apply(self, view: View, config: Config, entry, replica: int) -> View:
        rec = existing(view, self.obj)
        if expiry_days(config, rec.kind) > 0:
            return _put(view, self.obj, evolve(rec, status=SOFT_DELETED, deleted_day=entry.day))
        return _put(view, self.obj, evolve(rec, status=GONE))  # only under implicit-expiry


def soft_deletes(config: Config, op: Any) -> bool:
    """The operation soft-deletes its object: a soft delete, or an expiry
    under its kind's policy (issue 14; the monitors treat both alike)."""
    return isinstance(op, SoftDelete) or (isinstance(op, Expire) and expiry_days(config, kind_of(op.obj)) > 0)
