"""Auxiliary invariants of the object layer over one history, for its proof.

Each is written once, in the model's language, over the object layer of
one history (properties/objects.py `ObjectState`): a concrete run judges a
Python ObjectState (the abstraction of a model state of the one-history
fragment, dirproof/proofs/objects_state.py), a symbolic run gives the Z3
term the inductive proof uses (dirproof/proofs/objects_proof.py).
`OBJECT_INVARIANTS`, with the three object properties' forms, is an
inductive invariant of the safe design's object layer; docs/z3.md says why
each one is needed. tests/test_proofs_objects.py checks both evaluations
on steered states, and that Houdini drops each one it cannot keep.
"""

from __future__ import annotations

from typing import Any, Callable

import attrs

from dirproof.model.algebra import ALL, AND, EQ, IMPLIES, OR, check
from dirproof.model.links import linkset
from dirproof.model.objects import GONE, SOFT_DELETED, attrs_of, deleted_on, is_

from .objects import ObjectState


@attrs.frozen
class ObjectInvariant:
    id: str
    statement: str
    verdict: Callable[[Any, ObjectState], Any] = attrs.field(repr=False, eq=False)


def sd_day(cfg: Any, st: ObjectState) -> Any:
    return ALL(check(IMPLIES(is_(st.ap[o], SOFT_DELETED), EQ(deleted_on(st.ap[o]), st.ghost.sdd[o])),
                     lambda o=o: f"object {o} is soft-deleted since day {deleted_on(st.ap[o])}, its last "
                                 f"acknowledged soft delete is of day {st.ghost.sdd[o]}")
               for o in range(cfg.objects))


def sd_attrs(cfg: Any, st: ObjectState) -> Any:
    return ALL(check(IMPLIES(is_(st.ap[o], SOFT_DELETED),
                             AND(st.ghost.bs[o], EQ(attrs_of(st.ap[o], cfg), st.ghost.bef[o]))),
                     lambda o=o: f"object {o} is soft-deleted with attributes {attrs_of(st.ap[o], cfg)}, not "
                                 f"{st.ghost.bef[o]} from before the delete")
               for o in range(cfg.objects))


def sd_links(cfg: Any, st: ObjectState) -> Any:
    return ALL(check(IMPLIES(is_(st.ap[o], SOFT_DELETED), EQ(linkset(st.ap, o, cfg), st.ghost.befl[o])),
                     lambda o=o: f"object {o} is soft-deleted with memberships {linkset(st.ap, o, cfg)}, not "
                                 f"{st.ghost.befl[o]} from before the delete")
               for o in range(cfg.objects))


def deleted_tracked(cfg: Any, st: ObjectState) -> Any:
    def one(o: int) -> Any:
        d, rec = st.ghost.dl[o], st.ap[o]
        soft = AND(is_(rec, SOFT_DELETED), EQ(deleted_on(rec), d))
        purged = AND(is_(rec, GONE), st.ghost.pg[o], st.day - d >= cfg.retention_days)
        return check(IMPLIES(d >= 0, OR(soft, purged)),
                     lambda: f"object {o}, soft-deleted on day {d}, is neither still soft-deleted since then "
                             f"nor purged after retention")
    return ALL(one(o) for o in range(cfg.objects))


def views_agree(cfg: Any, st: ObjectState) -> Any:
    return check(EQ(st.ap, st.pp), "the PP derives another directory than the AP from the same log")


OBJECT_INVARIANTS: dict[str, ObjectInvariant] = {i.id: i for i in (
    ObjectInvariant("sd-day", "An object soft-deleted at the AP was deleted on the day of its last "
                    "acknowledged soft delete.", sd_day),
    ObjectInvariant("sd-attrs", "A soft-deleted object has exactly the attributes it had just before its "
                    "last soft delete.", sd_attrs),
    ObjectInvariant("deleted-tracked", "An object soft-deleted and not since restored, deleted for good or "
                    "recovered is still soft-deleted since that day, or was purged and its retention has "
                    "ended.", deleted_tracked),
    ObjectInvariant("sd-links", "A soft-deleted object has exactly the group memberships it had just before "
                    "its last soft delete (issue 14).", sd_links),
    ObjectInvariant("views-agree", "A replica that holds the AP's log (the PP) derives the same directory "
                    "from it as the AP.", views_agree),
)}
