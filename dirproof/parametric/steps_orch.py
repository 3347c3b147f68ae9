"""Faults and the orchestrator's steps as parametric transitions (design.md
§2 Faults, Failover; the model's steps are model/faults.py and election.py).

The fault budget is an assumption: a disk loss that would exceed it
(a second guarded disk lost before the PP has copied the AP's log) is not
a transition here. The model lets it happen and records `exceeded`; the
properties are claimed within the budget (design.md §2).
"""

from __future__ import annotations

from typing import Any

import z3

from .frames import Step, at, define
from .steps import Flaws, c, truncate
from .vocab import E0, EPOCH, I0, INDEX, REGION, REGION_OF, REPLICA, VALUE, Vocab, lt_e, min_i, var

BUDGET = frozenset({"up", "ep", "len", "commit", "log", "in_sync", "pending", "exceeded", "flushed"})


def crash(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """A clean crash: the replica flushes its log and stops (§6)."""
    r = c("r", REPLICA)
    body = z3.And(pre.up(r), at(pre, post, "up", (r,), False), at(pre, post, "flushed", (r,), pre.len(r)))
    return Step("crash", "§2 faults", (r,), body, frozenset({"up", "flushed"}))


def recover(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """A crashed replica restarts with the log, epoch and commit point it
    had; it truncates nothing (§6; the flaws: steps_durable.restart)."""
    from .steps_durable import restart
    r = c("r", REPLICA)
    body, mods = restart(pre, post, flaws, r)
    return Step("recover", "§2 faults", (r,), z3.And(z3.Not(pre.up(r)), at(pre, post, "up", (r,), True), body),
                frozenset({"up"}) | mods)


def _held(pre: Vocab, r: Any) -> Any:
    return z3.Not(z3.And(pre.len(r) == I0, pre.ep(r) == E0))


def _wipe(pre: Vocab, post: Vocab, hit: Any) -> Any:
    """Every replica `hit(r)` says loses its disk: down, no epoch, empty log."""
    return z3.And(define(pre, post, "up", lambda r: z3.And(z3.Not(hit(r)), pre.up(r))),
                  define(pre, post, "ep", lambda r: z3.If(hit(r), E0, pre.ep(r))),
                  define(pre, post, "len", lambda r: z3.If(hit(r), I0, pre.len(r))),
                  define(pre, post, "commit", lambda r: z3.If(hit(r), I0, pre.commit(r))),
                  define(pre, post, "flushed", lambda r: z3.If(hit(r), I0, pre.flushed(r))),
                  define(pre, post, "log", lambda r, i, e, v: z3.And(z3.Not(hit(r)), pre.log(r, i, e, v))))


def _budget(pre: Vocab, post: Vocab, hits: list[Any]) -> Any:
    """The budget after guarded disks are lost: a first loss is pending, a
    second one (before the PP has synced) exceeds it, which is assumed not
    to happen."""
    one = z3.Or(*hits)
    two = z3.And(*hits) if len(hits) > 1 else z3.BoolVal(False)
    exceeded = z3.Or(pre.exceeded, z3.And(one, pre.pending), two)
    return z3.And(post.pending == z3.Or(pre.pending, one), post.exceeded == exceeded, z3.Not(post.exceeded))


def lose_disk(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """Catastrophic loss of a datacenter: the replica's log, commit point and
    epoch are gone; a PP that lost its disk is no longer in sync."""
    r = c("r", REPLICA)
    hit = z3.And(z3.Or(pre.gA == r, pre.gP == r), _held(pre, r))
    body = z3.And(z3.Not(pre.lost(r)), _wipe(pre, post, lambda x: x == r),
                  post.in_sync == z3.And(pre.in_sync, z3.Not(pre.pp(pre.cur, r))), _budget(pre, post, [hit]))
    return Step("lose_disk", "§2 faults", (r,), body, BUDGET)


def lose_region(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """A whole region is lost: each of its replicas loses its disk at once."""
    g, r0 = c("g", REGION), c("r0", REPLICA)
    p = var("p", REPLICA)
    hits = [z3.And(REGION_OF(x) == g, _held(pre, x)) for x in (pre.gA, pre.gP)]
    in_sync = z3.And(pre.in_sync, z3.ForAll([p], z3.Implies(pre.pp(pre.cur, p), REGION_OF(p) != g)))
    body = z3.And(REGION_OF(r0) == g, z3.Not(pre.lost(r0)), _wipe(pre, post, lambda x: REGION_OF(x) == g),
                  post.in_sync == in_sync, _budget(pre, post, hits))
    return Step("lose_region", "§2 faults", (g, r0), body, BUDGET)


def partition(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """The network between two datacenters is cut (both ways)."""
    a, b = c("a", REPLICA), c("b", REPLICA)
    body = z3.And(a != b, z3.Not(pre.cut(a, b)), define(pre, post, "cut", lambda x, y: z3.Or(
        pre.cut(x, y), z3.And(x == a, y == b), z3.And(x == b, y == a))))
    return Step("partition", "§2 faults", (a, b), body, frozenset({"cut"}))


def heal(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """The network between two datacenters is restored."""
    a, b = c("a", REPLICA), c("b", REPLICA)
    body = z3.And(a != b, pre.cut(a, b), define(pre, post, "cut", lambda x, y: z3.And(
        pre.cut(x, y), z3.Not(z3.Or(z3.And(x == a, y == b), z3.And(x == b, y == a))))))
    return Step("heal", "§2 faults", (a, b), body, frozenset({"cut"}))


def passive_ok(pre: Vocab, flaws: Flaws, ap: Any, new_pp: Any) -> Any:
    """Another up replica the AP reaches, in another region (flaw pp-same-region: any region)."""
    apart = z3.BoolVal(True) if "pp-same-region" in flaws else REGION_OF(new_pp) != REGION_OF(ap)
    return z3.And(new_pp != ap, pre.connected(ap, new_pp), apart)


def start_epoch(pre: Vocab, post: Vocab, flaws: Flaws, ap: Any, pp: Any, ne: Any, cpos: Any) -> Any:
    """Install (ap, pp) as the roles of a new epoch `ne` after the current
    one; the AP adopts it, the PP adopts it and drops what the AP lacks
    (cpos: the last LSN both hold). Flaw token-reset-on-failover: every
    token goes back to LSN 0."""
    roles = z3.And(lt_e(pre.cur, ne), post.cur == ne,
                   define(pre, post, "ap", lambda e, r: z3.Or(pre.ap(e, r), z3.And(e == ne, r == ap))),
                   define(pre, post, "pp", lambda e, r: z3.Or(pre.pp(e, r), z3.And(e == ne, r == pp))),
                   define(pre, post, "ep", lambda r: z3.If(z3.Or(r == ap, r == pp), ne, pre.ep(r))))
    tokens = define(pre, post, "tok", lambda s: I0) if "token-reset-on-failover" in flaws else z3.BoolVal(True)
    # §6: the new AP flushes its log; the new PP's flushed point is cut with its log
    cut = (lambda r: pre.flushed(r)) if "keep-divergent-suffix" in flaws else (lambda r: min_i(pre.flushed(r), cpos))
    flushed = define(pre, post, "flushed", lambda r: z3.If(r == ap, pre.len(ap), z3.If(r == pp, cut(r), pre.flushed(r))))
    return z3.And(roles, truncate(pre, post, flaws, pp, ap, cpos, flushed=False), tokens, flushed)


def _mods(flaws: Flaws, *more: str) -> frozenset[str]:
    mods = {"cur", "ap", "pp", "ep", "in_sync", "flushed", *more}
    if "keep-divergent-suffix" not in flaws:
        mods |= {"log", "len", "commit"}
    if "token-reset-on-failover" in flaws:
        mods.add("tok")
    return frozenset(mods)


def emergency_failover(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """§2 emergency failover: the AP is down, lost its state or is cut off
    from the PP; the PP, up, at the current epoch and in sync, becomes the
    AP of a new epoch with a new PP in another region. Flaws:
    promote-any-secondary (any up replica), promote-unsynced-pp (no in-sync check)."""
    a, p, na, npp, ne, cpos = (c("a", REPLICA), c("p", REPLICA), c("na", REPLICA), c("np", REPLICA),
                               c("ne", EPOCH), c("cpos", INDEX))
    lost = z3.Or(z3.Not(pre.up(a)), pre.ep(a) != pre.cur, z3.And(pre.up(p), a != p, pre.cut(a, p)))
    cand: Any = z3.BoolVal(True)
    if "promote-any-secondary" not in flaws:
        cand = z3.And(na == p, pre.ep(na) == pre.cur,
                      z3.BoolVal(True) if "promote-unsynced-pp" in flaws else pre.in_sync)
    guard = z3.And(pre.ap(pre.cur, a), pre.pp(pre.cur, p), lost, na != a, pre.up(na), cand,
                   passive_ok(pre, flaws, na, npp))
    body = z3.And(guard, start_epoch(pre, post, flaws, na, npp, ne, cpos), z3.Not(post.in_sync))
    return Step("emergency_failover", "§2 failover (emergency)", (a, p, na, npp, ne, cpos), body, _mods(flaws))


def planned_failover(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """§2 planned failover: AP and caught-up PP (the same log) swap roles in
    a new epoch; the new pair is in sync and guarded."""
    a, p, ne = c("a", REPLICA), c("p", REPLICA), c("ne", EPOCH)
    i, e, v = var("i", INDEX), var("e", EPOCH), var("v", VALUE)
    same_log = z3.And(pre.len(p) == pre.len(a),
                      z3.ForAll([i, e, v], pre.log(p, i, e, v) == pre.log(a, i, e, v)))
    guard = z3.And(pre.ap(pre.cur, a), pre.pp(pre.cur, p), pre.ep(a) == pre.cur, pre.ep(p) == pre.cur,
                   pre.connected(a, p), same_log)
    roles = z3.And(lt_e(pre.cur, ne), post.cur == ne,
                   define(pre, post, "ap", lambda e, r: z3.Or(pre.ap(e, r), z3.And(e == ne, r == p))),
                   define(pre, post, "pp", lambda e, r: z3.Or(pre.pp(e, r), z3.And(e == ne, r == a))),
                   define(pre, post, "ep", lambda r: z3.If(z3.Or(r == a, r == p), ne, pre.ep(r))),
                   at(pre, post, "commit", (p,), pre.commit(a)),
                   define(pre, post, "flushed", lambda r: z3.If(z3.Or(r == a, r == p), pre.len(a), pre.flushed(r))))
    tokens = define(pre, post, "tok", lambda s: I0) if "token-reset-on-failover" in flaws else z3.BoolVal(True)
    synced = z3.And(post.in_sync, post.gA == p, post.gP == a, z3.Not(post.pending))
    mods = {"cur", "ap", "pp", "ep", "commit", "in_sync", "gA", "gP", "pending", "flushed"}
    if "token-reset-on-failover" in flaws:
        mods.add("tok")
    return Step("planned_failover", "§2 failover (planned)", (a, p, ne),
                z3.And(guard, roles, tokens, synced), frozenset(mods))


def replace_passive(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """§2 (decided): the acting AP stays and a down or cut-off PP is replaced
    in a new epoch, which fences the old PP off."""
    a, p, npp, ne, cpos = c("a", REPLICA), c("p", REPLICA), c("np", REPLICA), c("ne", EPOCH), c("cpos", INDEX)
    guard = z3.And(pre.ap(pre.cur, a), pre.pp(pre.cur, p), pre.acting(a), z3.Not(pre.connected(a, p)),
                   passive_ok(pre, flaws, a, npp))
    body = z3.And(guard, start_epoch(pre, post, flaws, a, npp, ne, cpos), z3.Not(post.in_sync))
    return Step("replace_passive", "§2 failover (decided here)", (a, p, npp, ne, cpos), body, _mods(flaws))
