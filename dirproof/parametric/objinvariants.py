"""The object layer's parametric form: initial states, the object
properties of design.md §4 and issue 14, and the auxiliary invariants, each
universally quantified over objects (properties/objects.py and
properties/object_invariants.py, stated for any number of objects,
snapshots and days). docs/parametric.md says why each holds.
"""

from __future__ import annotations

from typing import Any

import z3

from .objvocab import ABSENT, D0, DFLT, EXPIRED, GONE, GROUP, KIND_OF, OBJ, SNAP, SOFT, USER, OVocab, var

OBJECT_PROPS = ("soft-delete-restorable", "no-early-purge", "no-resurrection", "no-delete-without-retention",
                "restore-restores-links")


def initial(V: OVocab) -> Any:
    """Day d0, every object absent (default attributes, no memberships) at
    the AP and the PP, no snapshot kept, an empty ghost."""
    o, g, s = var("o", OBJ), var("g", OBJ), var("s", SNAP)
    views = [z3.And(v.st(o) == ABSENT, v.at(o) == DFLT, v.dd(o) == D0, v.born(o) == D0)
             for v in (V.view(False), V.view(True))]
    ghost = z3.And(z3.Not(V.sd(o)), V.sdd(o) == D0, z3.Not(V.bs(o)), V.bef(o) == DFLT, z3.Not(V.dlx(o)),
                   V.dl(o) == D0, z3.Not(V.pg(o)), z3.Not(V.tomb(o)))
    return z3.And(V.today == D0, z3.ForAll([o], z3.And(*views, ghost)),
                  z3.ForAll([o, g], z3.And(z3.Not(V.lk(o, g)), z3.Not(V.plk(o, g)), z3.Not(V.bown(o, g)),
                                           z3.Not(V.bmem(o, g)))),
                  z3.ForAll([s], z3.Not(V.kept(s))),
                  z3.Not(V.early), z3.Not(V.restore), z3.Not(V.unretained), z3.Not(V.unlinked))


def _within(V: OVocab, o: Any) -> Any:
    """Soft-deleted within retention, not since restored, deleted for good or recovered."""
    return z3.And(V.dlx(o), z3.Not(EXPIRED(V.dl(o), V.today)))


def _lost(V: OVocab, o: Any) -> Any:
    return z3.Or(V.st(o) == ABSENT, z3.And(V.st(o) == GONE, V.pg(o)))


def properties(V: OVocab) -> dict[str, Any]:
    """properties/objects.py OBJECT_FORMS over one state."""
    o = var("o", OBJ)
    return {
        "soft-delete-restorable": z3.And(z3.Not(V.restore),
                                         z3.ForAll([o], z3.Implies(_within(V, o), z3.Not(_lost(V, o))))),
        "no-early-purge": z3.Not(V.early),
        "no-resurrection": z3.ForAll([o], z3.Implies(V.tomb(o), z3.And(V.st(o) == GONE, V.pst(o) == GONE))),
        "no-delete-without-retention": z3.Not(V.unretained),
        "restore-restores-links": z3.Not(V.unlinked),
    }


# id -> (fixed-scope counterpart in properties/object_invariants.py or "property", why it holds)
EXPLAIN = {
    "views-agree": ("views-agree", "the PP folds every entry as the AP does: a permanent delete is a tombstone "
                                   "both apply"),
    "sd-day": ("sd-day", "an object is soft-deleted only by a soft delete (or an expiry) acknowledged that day, "
                         "which the ghost records"),
    "sd-attrs": ("sd-attrs", "the ghost records the attributes at the soft delete, and nothing changes a "
                             "soft-deleted object's attributes (an update needs a live object)"),
    "sd-links": ("sd-links", "the ghost records the memberships at the soft delete; a membership changes only "
                             "between live ends, and a new user has none"),
    "deleted-tracked": ("deleted-tracked", "a tracked soft delete ends only by a restore, a permanent delete or "
                                           "a recovery (which untrack it) or by a purge after retention, and "
                                           "retention once ended stays ended (axiom retention)"),
    "early-clear": ("property", "a purge needs retention ended since the deleted day, which is the ghost's "
                                "(sd-day)"),
    "restore-clear": ("property", "a restore brings back the soft-deleted attributes (sd-attrs)"),
    "unlinked-clear": ("property", "a restore brings back the soft-deleted memberships (sd-links)"),
    "unretained-clear": ("property", "only a purge after retention or a permanent delete of a soft-deleted "
                                     "object, of its own kind, makes an object gone"),
    "links-typed": ("links-typed", "a membership links an existing user to a group: add_member checks the kinds "
                                   "and that both ends are live, a new object has none"),
    "tomb-gone": ("property", "a gone object stays gone: create needs an absent one, restore a soft-deleted "
                              "one, recovery a present, not gone one"),
    "restorable": ("property", "by deleted-tracked, a tracked object within retention is still soft-deleted"),
}


def invariants(V: OVocab, flaws: frozenset = frozenset()) -> dict[str, Any]:
    """The inductive invariant, conjunct by conjunct (each universal)."""
    o, g, u = var("o", OBJ), var("g", OBJ), var("u", OBJ)
    ap, pp = V.view(False), V.view(True)
    soft = ap.st(o) == SOFT
    props = properties(V)
    return {
        "views-agree": z3.And(
            z3.ForAll([o], z3.And(*(a(o) == b(o) for a, b in ((ap.st, pp.st), (ap.at, pp.at), (ap.dd, pp.dd),
                                                               (ap.born, pp.born))))),
            z3.ForAll([u, g], ap.lk(u, g) == pp.lk(u, g))),
        "sd-day": z3.ForAll([o], z3.Implies(soft, z3.And(V.sd(o), V.dd(o) == V.sdd(o)))),
        "sd-attrs": z3.ForAll([o], z3.Implies(soft, z3.And(V.bs(o), V.at(o) == V.bef(o)))),
        "sd-links": z3.And(z3.ForAll([o, g], z3.Implies(soft, V.lk(o, g) == V.bown(o, g))),
                           z3.ForAll([o, u], z3.Implies(soft, ap.member(u, o) == V.bmem(o, u)))),
        "deleted-tracked": z3.ForAll([o], z3.Implies(V.dlx(o), z3.Or(
            z3.And(soft, V.dd(o) == V.dl(o)),
            z3.And(V.st(o) == GONE, V.pg(o), EXPIRED(V.dl(o), V.today))))),
        "links-typed": z3.ForAll([u, g], z3.Implies(ap.lk(u, g), z3.And(KIND_OF(u) == USER, KIND_OF(g) == GROUP,
                                                                         ap.st(u) != ABSENT))),
        "early-clear": props["no-early-purge"],
        "restore-clear": z3.Not(V.restore),
        "unlinked-clear": props["restore-restores-links"],
        "unretained-clear": props["no-delete-without-retention"],
        "tomb-gone": props["no-resurrection"],
        "restorable": z3.ForAll([o], z3.Implies(_within(V, o), z3.Not(_lost(V, o)))),
    }
