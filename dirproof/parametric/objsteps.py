"""The transitions of the object layer's parametric form (design.md §3).

One per object step of the one-history fragment (dirproof/proofs/
objects_state.py): an operation the AP accepts against its view (the
operation's `check`), folded by the AP and by the PP (`apply_entry`: an
entry for an absent object, or a create for an existing one, leaves a view
unchanged) and read by the monitors (properties/objects.py
`on_committed`); and `tick`. The flaws of the config change them as they
change the model (model/objects.py, deletes.py, links.py).
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

import attrs
import z3

from .objvocab import (ABSENT, AVEC, D0, DFLT, EXPIRED, EXPIRED1, GONE, GROUP, KIND, KIND_OF, LIVE, LIVED, OBJ,
                       POLICY, SNAP, SOFT, USER, LE_D, OVocab, at, frame, lt_d, same, var)


@attrs.frozen
class OStep:
    """A transition: name, design section, parameters (free constants), its
    formula over (pre, post), the mutable symbols it may change."""

    name: str
    section: str
    params: tuple[Any, ...]
    formula: Any
    modifies: frozenset[str]

    def framed(self, pre: OVocab, post: OVocab) -> Any:
        return z3.And(self.formula, *frame(pre, post, self.modifies))


VIEWS = frozenset(n for p in ("", "p") for n in (p + k for k in ("st", "at", "dd", "born", "lk")))


def obj(name: str) -> Any:
    return z3.Const(f"{name}_p", OBJ)


def _put(pre: OVocab, post: OVocab, pp: bool, o: Any, when: Any, st: Any = None, at_: Any = None,
         dd: Any = None, born: Any = None, links: Optional[Callable[[Any], Any]] = None,
         link: Optional[tuple[Any, Any]] = None) -> list[Any]:
    """One view folds the entry on object `o` when `when` holds: the given
    fields of o's record change (links: o's whole row; link: one flag (g, value))."""
    a, b = pre.view(pp), post.view(pp)
    out = []
    for name, val in (("st", st), ("at", at_), ("dd", dd), ("born", born)):
        full = a.prefix + name
        out.append(same(pre, post, full) if val is None else at(pre, post, full, (o,), val, when))
    lk = a.prefix + "lk"
    if links is not None:
        out.append(at(pre, post, lk, (o,), lambda u, g: links(g), when))
    elif link is not None:
        out.append(at(pre, post, lk, (o, link[0]), link[1], when))
    else:
        out.append(same(pre, post, lk))
    return out


def _both(pre: OVocab, post: OVocab, o: Any, create: bool = False, pp_too: Any = True, **change: Any) -> list[Any]:
    """The AP and the PP fold the entry (each only if its record fits: absent
    for a create, present otherwise; the PP only when `pp_too`)."""
    out = []
    for pp in (False, True):
        v = pre.view(pp)
        fits = v.st(o) == ABSENT if create else v.st(o) != ABSENT
        out += _put(pre, post, pp, o, z3.And(fits, pp_too if pp else True), **change)
    return out


def latch(pre: OVocab, post: OVocab, name: str, bad: Any) -> Any:
    """Stays set; set only when `bad` held (the superset of the model's step, as frames.latch)."""
    old, new = pre.symbols[name], post.symbols[name]
    return z3.And(z3.Implies(old, new), z3.Implies(new, z3.Or(old, bad)))


def left(pre: OVocab, post: OVocab, o: Any, through: Any) -> Any:
    """properties/objects.py left_without_retention at the AP."""
    was, now = pre.st(o), post.st(o)
    gone = z3.And(z3.Or(was == LIVE, was == SOFT), z3.Or(now == GONE, now == ABSENT))
    return z3.And(gone, z3.Not(z3.And(was == SOFT, through)))


def soft_ghost(pre: OVocab, post: OVocab, o: Any, when: Any = True) -> list[Any]:
    """The monitors read a soft delete (on_committed): its day, the record
    and the memberships just before it."""
    had = pre.st(o) != ABSENT
    ap = pre.view(False)
    return [at(pre, post, "sd", (o,), True, when), at(pre, post, "sdd", (o,), pre.today, when),
            at(pre, post, "dlx", (o,), True, when), at(pre, post, "dl", (o,), pre.today, when),
            at(pre, post, "bs", (o,), z3.Or(pre.bs(o), had), when),
            at(pre, post, "bef", (o,), z3.If(had, pre.at(o), pre.bef(o)), when),
            at(pre, post, "bown", (o,), lambda _o, g: z3.If(had, pre.lk(o, g), pre.bown(o, g)), when),
            at(pre, post, "bmem", (o,), lambda _o, u: z3.If(had, ap.member(u, o), pre.bmem(o, u)), when)]


SOFT_GHOST = frozenset({"sd", "sdd", "dlx", "dl", "bs", "bef", "bown", "bmem"})


def commit(name: str, section: str, params: tuple, pre: OVocab, post: OVocab, guard: Any, effect: list[Any],
           o: Any, through: Any = False, ghost: frozenset = frozenset(), extra: Sequence[Any] = ()) -> OStep:
    """An operation on `o` accepted at the AP, folded by both views; the
    no-delete-without-retention monitor reads every one (unretained)."""
    body = z3.And(guard, *effect, latch(pre, post, "unretained", left(pre, post, o, through)), *extra)
    return OStep(name, section, params, body, VIEWS | ghost | {"unretained"})


def create(pre: OVocab, post: OVocab, flaws: frozenset) -> OStep:
    o = obj("o")
    eff = _both(pre, post, o, create=True, st=LIVE, at_=DFLT, dd=D0, born=pre.today, links=lambda g: False)
    return commit("create", "§3", (o,), pre, post, pre.st(o) == ABSENT, eff, o)


def update(pre: OVocab, post: OVocab, flaws: frozenset) -> OStep:
    o, x = obj("o"), z3.Const("x_p", AVEC)
    return commit("update", "§3", (o, x), pre, post, pre.st(o) == LIVE, _both(pre, post, o, at_=x), o)


def soft_delete(pre: OVocab, post: OVocab, flaws: frozenset) -> OStep:
    o = obj("o")
    eff = _both(pre, post, o, st=SOFT, dd=pre.today) + soft_ghost(pre, post, o)
    return commit("soft_delete", "§3", (o,), pre, post, pre.st(o) == LIVE, eff, o, ghost=SOFT_GHOST)


def _linkset_differs(pre: OVocab, post: OVocab, o: Any) -> Any:
    """o's memberships after the step differ from those just before its soft delete."""
    g, u = var("g_ls", OBJ), var("u_ls", OBJ)
    after = post.view(False)
    return z3.Or(z3.Exists([g], post.lk(o, g) != pre.bown(o, g)),
                 z3.Exists([u], after.member(u, o) != pre.bmem(o, u)))


def restore(pre: OVocab, post: OVocab, flaws: frozenset) -> OStep:
    o = obj("o")
    guard = z3.And(pre.st(o) == SOFT, z3.Not(EXPIRED(pre.dd(o), pre.today)))
    drops = "restore-drops-links" in flaws
    effs = []
    for pp in (False, True):
        v = pre.view(pp)
        effs += _put(pre, post, pp, o, v.st(o) != ABSENT, st=LIVE, dd=D0,
                     at_=DFLT if "restore-defaults" in flaws else v.at(o),
                     links=(lambda g: False) if drops else None)
    back = z3.And(pre.bs(o), post.st(o) != ABSENT)
    extra = [*untrack(pre, post, o),
             latch(pre, post, "restore", z3.And(back, post.at(o) != pre.bef(o))),
             latch(pre, post, "unlinked", z3.And(back, _linkset_differs(pre, post, o)))]
    return commit("restore", "§3", (o,), pre, post, guard, effs, o, ghost=UNTRACK | {"restore", "unlinked"},
                  extra=extra)


def untrack(pre: OVocab, post: OVocab, o: Any) -> list[Any]:
    """The ghost stops tracking o's soft delete (dl = -1 in the model: d0 here)."""
    return [at(pre, post, "dlx", (o,), False), at(pre, post, "dl", (o,), D0)]


UNTRACK = frozenset({"dlx", "dl"})


def _deletable(pre: OVocab, o: Any, flaws: frozenset) -> Any:
    if "delete-live" in flaws:
        return z3.Or(pre.st(o) == SOFT, pre.st(o) == LIVE)
    return pre.st(o) == SOFT


def _tombstone(pre: OVocab, post: OVocab, o: Any, purge: bool) -> list[Any]:
    kept = [same(pre, post, "dlx"), same(pre, post, "dl")]
    return [*(kept if purge else untrack(pre, post, o)), at(pre, post, "tomb", (o,), True),
            at(pre, post, "pg", (o,), purge)]


def permanent_delete(pre: OVocab, post: OVocab, flaws: frozenset) -> OStep:
    o = obj("o")
    pp_too = "delete-without-tombstone" not in flaws  # the PP is not the entry's origin
    eff = _both(pre, post, o, pp_too=pp_too, st=GONE) + _tombstone(pre, post, o, False)
    return commit("permanent_delete", "§3", (o,), pre, post, _deletable(pre, o, flaws), eff, o, through=True,
                  ghost=UNTRACK | {"tomb", "pg"})


def bulk_delete(pre: OVocab, post: OVocab, flaws: frozenset) -> OStep:
    o, k = obj("o"), z3.Const("k_p", KIND)
    typed = z3.BoolVal(True) if "delete-wrong-kind" in flaws else KIND_OF(o) == k
    pp_too = "delete-without-tombstone" not in flaws
    eff = _both(pre, post, o, pp_too=pp_too, st=GONE) + _tombstone(pre, post, o, False)
    return commit("bulk_delete", "§3 (issue 14)", (o, k), pre, post, z3.And(typed, _deletable(pre, o, flaws)), eff,
                  o, through=KIND_OF(o) == k, ghost=UNTRACK | {"tomb", "pg"})


def purge(pre: OVocab, post: OVocab, flaws: frozenset) -> OStep:
    o = obj("o")
    due = (EXPIRED1 if "purge-early" in flaws else EXPIRED)(pre.dd(o), pre.today)
    eff = _both(pre, post, o, st=GONE) + _tombstone(pre, post, o, True)
    early = latch(pre, post, "early", z3.And(pre.sd(o), z3.Not(EXPIRED(pre.sdd(o), pre.today))))
    return commit("purge", "§3", (o,), pre, post, z3.And(pre.st(o) == SOFT, due), eff, o,
                  through=EXPIRED(pre.dd(o), pre.today), ghost=frozenset({"tomb", "pg", "early"}), extra=[early])


def recover(pre: OVocab, post: OVocab, flaws: frozenset) -> OStep:
    o, s, x = obj("o"), z3.Const("s_p", SNAP), z3.Const("x_p", AVEC)
    st = pre.st(o)
    guard = z3.And(pre.kept(s), pre.sst(s, o) != ABSENT, pre.sst(s, o) != GONE, pre.sat(s, o) == x, st != ABSENT,
                   z3.BoolVal(True) if "recovery-resurrects" in flaws else st != GONE,
                   z3.Implies(st == SOFT, z3.Not(EXPIRED(pre.dd(o), pre.today))))
    eff = _both(pre, post, o, st=LIVE, at_=x, dd=D0) + untrack(pre, post, o)
    return commit("recover", "§3 backups", (o, s, x), pre, post, guard, eff, o, ghost=UNTRACK)


def expire(pre: OVocab, post: OVocab, flaws: frozenset) -> OStep:
    o = obj("o")
    k = KIND_OF(o)
    guard = z3.And(z3.Or(POLICY(k), "implicit-expiry" in flaws), pre.st(o) == LIVE,
                   z3.Implies(POLICY(k), LIVED(k, pre.born(o), pre.today)))
    eff = []
    for pp in (False, True):
        v = pre.view(pp)
        eff += _put(pre, post, pp, o, v.st(o) != ABSENT, st=z3.If(POLICY(k), SOFT, GONE),
                    dd=z3.If(POLICY(k), pre.today, v.dd(o)))
    eff += soft_ghost(pre, post, o, when=POLICY(k))
    return commit("expire", "§3 (issue 14)", (o,), pre, post, guard, eff, o, ghost=SOFT_GHOST)


def _membership(name: str, pre: OVocab, post: OVocab, add: bool) -> OStep:
    u, g = obj("u"), obj("g")
    guard = z3.And(KIND_OF(u) == USER, KIND_OF(g) == GROUP, pre.st(u) == LIVE, pre.st(g) == LIVE,
                   pre.lk(u, g) != add)
    return commit(name, "§3 (issue 14)", (u, g), pre, post, guard, _both(pre, post, u, link=(g, add)), u)


def add_member(pre: OVocab, post: OVocab, flaws: frozenset) -> OStep:
    return _membership("add_member", pre, post, True)


def remove_member(pre: OVocab, post: OVocab, flaws: frozenset) -> OStep:
    return _membership("remove_member", pre, post, False)


def tick(pre: OVocab, post: OVocab, flaws: frozenset) -> OStep:
    """Time moves on; a snapshot of the AP's view is taken for some days in
    between (a new kept snapshot), older ones are kept or dropped."""
    s, o = var("s_t", SNAP), var("o_t", OBJ)
    keep = z3.ForAll([s], z3.Implies(pre.kept(s), z3.And(
        post.sday(s) == pre.sday(s), z3.ForAll([o], z3.And(post.sst(s, o) == pre.sst(s, o),
                                                            post.sat(s, o) == pre.sat(s, o))))))
    new = z3.ForAll([s], z3.Implies(z3.And(post.kept(s), z3.Not(pre.kept(s))), z3.And(
        lt_d(pre.today, post.sday(s)), LE_D(post.sday(s), post.today),
        z3.ForAll([o], z3.And(post.sst(s, o) == pre.st(o), post.sat(s, o) == pre.at(o))))))
    body = z3.And(lt_d(pre.today, post.today), keep, new)
    return OStep("tick", "§3 time", (), body, frozenset({"today", "kept", "sday", "sst", "sat"}))


TRANSITIONS = {"create": create, "update": update, "soft_delete": soft_delete, "restore": restore,
               "permanent_delete": permanent_delete, "bulk_delete": bulk_delete, "purge": purge,
               "recover": recover, "expire": expire, "add_member": add_member, "remove_member": remove_member,
               "tick": tick}

# the object step (objects_state.OAct name) each object flaw changes (the tests' and the docs' table)
FLAW_TRANSITION = {"purge-early": "purge", "delete-without-tombstone": "permanent_delete",
                   "recovery-resurrects": "recover", "restore-defaults": "restore", "delete-live": "permanent_delete",
                   "delete-wrong-kind": "bulk_delete", "restore-drops-links": "restore",
                   "implicit-expiry": "expire"}
