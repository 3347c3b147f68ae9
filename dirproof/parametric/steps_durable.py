"""Durability and restart as parametric transitions (design.md §6; the
model's steps are model/durable.py and faults.recover).

`flushed(r)` is the replica's flushed point: its entries up to it are on
disk. Same conventions as steps.py.
"""

from __future__ import annotations

from typing import Any

import z3

from .frames import Step, at, define, latch
from .steps import Flaws, c
from .vocab import (CLIENT, E0, EPOCH, INDEX, LE_I, REGION_OF, REPLICA, VALUE, WROTE, Vocab, in_range, lt_e,
                    lt_i, max_i, min_i, var)


def flush(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """§6: an up replica writes the entries it holds in memory to its disk."""
    r = c("r", REPLICA)
    body = z3.And(pre.up(r), lt_i(pre.flushed(r), pre.len(r)), at(pre, post, "flushed", (r,), pre.len(r)))
    return Step("flush", "§6 durability", (r,), body, frozenset({"flushed"}))


def crash_unclean(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """§6 unclean crash: the replica stops and keeps only its flushed log
    (commit point cut to it, epoch kept); a PP of the current epoch that
    lost entries is no longer in sync."""
    r = c("r", REPLICA)
    fl = pre.flushed(r)
    lost_some = lt_i(fl, pre.len(r))
    body = z3.And(pre.up(r), at(pre, post, "up", (r,), False),
                  at(pre, post, "log", (r,), lambda i, e, v: z3.And(pre.log(r, i, e, v), LE_I(i, fl))),
                  at(pre, post, "len", (r,), fl), at(pre, post, "commit", (r,), min_i(pre.commit(r), fl)),
                  post.in_sync == z3.And(pre.in_sync, z3.Not(z3.And(pre.pp(pre.cur, r), lost_some))))
    return Step("crash_unclean", "§6 durability", (r,), body, frozenset({"up", "log", "len", "commit", "in_sync"}))


def restart(pre: Vocab, post: Vocab, flaws: Flaws, r: Any) -> tuple[Any, frozenset[str]]:
    """What a restart does beyond coming up (§6: nothing, in the safe
    design), and the symbols it changes. Flaw restart-truncates-to-commit:
    the log is cut to the replica's own commit point. Flaw
    restart-exposes-unconfirmed: a replica that is the AP of its epoch
    commits its whole log. Flaw restart-truncates-inherited: a replica that
    is the AP of its epoch cuts its log at its commit point. (Knob
    restart_unconfirmed = "truncate" is not in the form: the engine claims
    nothing for a design off the knobs' safe settings.)"""
    parts, mods = [], set()
    if "restart-truncates-to-commit" in flaws:
        cp = pre.commit(r)
        parts += [at(pre, post, "log", (r,), lambda i, e, v: z3.And(pre.log(r, i, e, v), LE_I(i, cp))),
                  at(pre, post, "len", (r,), cp), at(pre, post, "flushed", (r,), min_i(pre.flushed(r), cp))]
        mods |= {"log", "len", "flushed"}
    if "restart-truncates-inherited" in flaws:  # an AP of its epoch cuts at its commit point (issue 13)
        ap = z3.And(lt_e(E0, pre.ep(r)), pre.ap(pre.ep(r), r))
        cp = pre.commit(r)
        cut = z3.And(at(pre, post, "log", (r,), lambda i, e, v: z3.And(pre.log(r, i, e, v), LE_I(i, cp))),
                     at(pre, post, "len", (r,), cp), at(pre, post, "flushed", (r,), min_i(pre.flushed(r), cp)))
        keep = z3.And(at(pre, post, "log", (r,), lambda i, e, v: pre.log(r, i, e, v)),
                      at(pre, post, "len", (r,), pre.len(r)), at(pre, post, "flushed", (r,), pre.flushed(r)))
        parts.append(z3.Or(z3.And(ap, cut), z3.And(z3.Not(ap), keep)))  # (two cases: the form stays in EPR)
        mods |= {"log", "len", "flushed"}
    if "restart-exposes-unconfirmed" in flaws:
        ap = z3.And(lt_e(E0, pre.ep(r)), pre.ap(pre.ep(r), r))
        parts.append(at(pre, post, "commit", (r,), z3.If(ap, pre.len(r), pre.commit(r))))
        mods.add("commit")
    return z3.And(*parts) if parts else z3.BoolVal(True), frozenset(mods)


def retry_write(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """§6: a client retries a write whose entry waits in the AP's log. The
    safe design answers it only with the PP's confirmation (acknowledge):
    no transition. Flaw ack-retry-from-local-log: the acting AP acknowledges the
    session's waiting entries at once (the ghost `acked`, the session's
    token), whatever its PP holds."""
    a, s0, wi, we, wv = c("a", REPLICA), c("s0", CLIENT), c("wi", INDEX), c("we", EPOCH), c("wv", VALUE)
    if "ack-retry-from-local-log" not in flaws:
        return Step("retry_write", "§6 retries", (a, s0), z3.BoolVal(False), frozenset())
    i, e, v, s = var("i", INDEX), var("e", EPOCH), var("v", VALUE), var("s", CLIENT)
    r1, r2 = var("r1", REPLICA), var("r2", REPLICA)

    def new(i: Any, e: Any, v: Any) -> Any:
        return z3.And(in_range(i, pre.commit(a), pre.len(a)), pre.log(a, i, e, v), WROTE(v, s0, pre.curl(s0)))
    guard = z3.And(pre.acting(a), new(wi, we, wv))
    two_regions = z3.Exists([r1, r2], z3.And(pre.log(r1, i, e, v), pre.log(r2, i, e, v),
                                             REGION_OF(r1) != REGION_OF(r2)))
    bad = z3.Exists([i, e, v], z3.And(new(i, e, v), z3.Not(two_regions)))
    mine = z3.ForAll([i, e, v], z3.Implies(new(i, e, v), LE_I(i, post.tok(s0))))
    tokens = z3.And(z3.ForAll([s], z3.Implies(s != s0, post.tok(s) == pre.tok(s))),
                    LE_I(pre.tok(s0), post.tok(s0)), LE_I(post.tok(s0), max_i(pre.tok(s0), pre.len(a))), mine)
    upd = z3.And(define(pre, post, "acked", lambda i, e, v: z3.Or(pre.acked(i, e, v), new(i, e, v))),
                 tokens, latch(pre, post, "bad_regions", bad))
    return Step("retry_write", "§6 retries", (a, s0, wi, we, wv), z3.And(guard, upd),
                frozenset({"acked", "tok", "bad_regions"}))
