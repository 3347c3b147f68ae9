"""The write path, replication, rejoin and reads as parametric transitions
(design.md §2; the model's steps are model/replication.py and sessions.py).

Each builder takes the pre- and post-state vocabularies and the seeded
flaws, and returns a `Step`. Parameters are free constants (the step's
arguments and the values it chooses). Where the model computes a number
(the longest common prefix, the new token) the transition may take any
value the model could justify, so its set of steps contains the model's:
the refinement test (tests/test_parametric_refine.py) checks that.
"""

from __future__ import annotations

from typing import Any

import z3

from .frames import Step, at, define, latch, same
from .vocab import (CLIENT, EPOCH, I0, INDEX, LE_I, LOGICAL, REGION_OF, REPLICA, VALUE, WROTE,
                    Vocab, in_range, lt_e, lt_i, max_i, min_i, succ_i, var)

Flaws = frozenset


def c(name: str, sort: Any) -> Any:
    return z3.Const(name, sort)


def fenced(flaws: Flaws, receiver_epoch: Any, sender_epoch: Any) -> Any:
    """§2 fencing: a replica rejects replication from an older epoch (flaw no-fencing: never)."""
    return z3.BoolVal(False) if "no-fencing" in flaws else lt_e(sender_epoch, receiver_epoch)


def client_write(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """§2 write path 1-2: a replica that believes it is the AP of its epoch
    appends (its epoch, next LSN, v); v is a write of the session's current
    logical session, or a system write (no writer)."""
    a, n, v = c("a", REPLICA), c("n", INDEX), c("v", VALUE)
    s, l = var("s", CLIENT), var("l", LOGICAL)
    guard = z3.And(pre.believes_ap(a), succ_i(pre.len(a), n),
                   z3.ForAll([s, l], z3.Implies(WROTE(v, s, l), l == pre.curl(s))))
    upd = z3.And(define(pre, post, "log", lambda r, i, e, w: z3.Or(
                     pre.log(r, i, e, w), z3.And(r == a, i == n, e == pre.ep(a), w == v))),
                 at(pre, post, "len", (a,), n))
    return Step("client_write", "§2 write path 1-2", (a, n, v), z3.And(guard, upd), frozenset({"log", "len"}))


def replicate_to_passive(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """§2 write path 3: the PP of the sender's epoch takes the sender's whole
    log and learns its commit point; a PP at a newer epoch fences the sender
    off, one at an older epoch must rejoin first. Between the current AP and
    PP this makes the PP in sync, and the budget guards that pair."""
    a, p = c("a", REPLICA), c("p", REPLICA)
    guard = z3.And(pre.believes_ap(a), pre.pp(pre.ep(a), p), pre.connected(a, p),
                   z3.Not(fenced(flaws, pre.ep(p), pre.ep(a))), z3.Not(lt_e(pre.ep(p), pre.ep(a))))
    sync = z3.And(pre.ap(pre.cur, a), pre.pp(pre.cur, p), pre.ep(a) == pre.cur)
    upd = z3.And(_ship_flushed(pre, post, flaws, a, p),
                 at(pre, post, "log", (p,), lambda i, e, v: pre.log(a, i, e, v)),
                 at(pre, post, "len", (p,), pre.len(a)),
                 at(pre, post, "commit", (p,), min_i(max_i(pre.commit(p), pre.commit(a)), pre.len(a))),
                 post.in_sync == z3.Or(sync, pre.in_sync),
                 post.gA == z3.If(sync, a, pre.gA), post.gP == z3.If(sync, p, pre.gP),
                 post.pending == z3.And(z3.Not(sync), pre.pending))
    return Step("replicate_to_passive", "§2 write path 3", (a, p), z3.And(guard, upd),
                frozenset({"log", "len", "commit", "in_sync", "gA", "gP", "pending", "flushed"}))


def acks_on_memory(flaws: Flaws) -> bool:
    """Knob ack_waits_for = "memory", as flaw ack-unflushed-pp (model.config)."""
    return "ack-unflushed-pp" in flaws


def _ship_flushed(pre: Vocab, post: Vocab, flaws: Flaws, a: Any, p: Any) -> Any:
    """§6: the AP flushes what it ships and the PP what it takes (flaw
    ack-unflushed-pp: the PP's flushed point may only fall, to at most the
    AP's length, as the model's min(flushed, common prefix) does)."""
    if not acks_on_memory(flaws):
        return define(pre, post, "flushed", lambda r: z3.If(z3.Or(r == a, r == p), pre.len(a), pre.flushed(r)))
    fp = c("fp", INDEX)
    return z3.And(LE_I(fp, pre.flushed(p)), LE_I(fp, pre.len(a)),
                  define(pre, post, "flushed", lambda r: z3.If(r == a, pre.len(a), z3.If(r == p, fp, pre.flushed(r)))))


def acknowledge(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """§2 write path 4: the AP moves its commit point to an LSN `u` up to
    which its PP holds its log, acknowledges the entries in between (the
    ghost `acked`) and moves their sessions' tokens up to them. Flaw
    ack-before-sync: `u` is the AP's whole log, whatever the PP holds."""
    a, p, u = c("a", REPLICA), c("p", REPLICA), c("u", INDEX)
    i, e, v, s = var("i", INDEX), var("e", EPOCH), var("v", VALUE), var("s", CLIENT)
    r1, r2 = var("r1", REPLICA), var("r2", REPLICA)
    if "ack-before-sync" in flaws:
        sync: Any = u == pre.len(a)
    else:
        on_disk = LE_I(u, pre.flushed(a)) if acks_on_memory(flaws) else z3.And(LE_I(u, pre.flushed(a)),
                                                                                 LE_I(u, pre.flushed(p)))
        sync = z3.And(pre.pp(pre.ep(a), p), pre.connected(a, p), z3.Not(fenced(flaws, pre.ep(p), pre.ep(a))),
                      LE_I(u, pre.len(a)), on_disk,
                      z3.ForAll([i, e, v], z3.Implies(z3.And(in_range(i, I0, u), pre.log(a, i, e, v)),
                                                      pre.log(p, i, e, v))))
    guard = z3.And(pre.believes_ap(a), sync, lt_i(pre.commit(a), u))

    def new(i: Any, e: Any, v: Any) -> Any:
        return z3.And(in_range(i, pre.commit(a), u), pre.log(a, i, e, v))
    two_regions = z3.Exists([r1, r2], z3.And(pre.log(r1, i, e, v), pre.log(r2, i, e, v),
                                             REGION_OF(r1) != REGION_OF(r2)))
    bad = z3.Exists([i, e, v], z3.And(new(i, e, v), z3.Not(two_regions)))
    mine = z3.ForAll([i, e, v], z3.Implies(z3.And(new(i, e, v), WROTE(v, s, pre.curl(s))), LE_I(i, post.tok(s))))
    tokens = z3.ForAll([s], z3.And(LE_I(pre.tok(s), post.tok(s)), LE_I(post.tok(s), max_i(pre.tok(s), u)), mine))
    upd = z3.And(at(pre, post, "commit", (a,), u),
                 define(pre, post, "acked", lambda i, e, v: z3.Or(pre.acked(i, e, v), new(i, e, v))),
                 tokens, latch(pre, post, "bad_regions", bad))
    return Step("acknowledge", "§2 write path 4", (a, p, u), z3.And(guard, upd),
                frozenset({"commit", "acked", "tok", "bad_regions"}))


def catch_up(pre: Vocab, post: Vocab, flaws: Flaws, r: Any, a: Any, upto: Any) -> Any:
    """`r` appends the AP `a`'s entries after its own log up to LSN `upto`
    (model.replication.catch_up); a replica at an older epoch must rejoin first."""
    length = max_i(pre.len(r), upto)
    commit = length if "ship-unacked" in flaws else max_i(pre.commit(r), upto)
    return z3.And(z3.Not(lt_e(pre.ep(r), pre.ep(a))),
                  at(pre, post, "log", (r,), lambda i, e, v: z3.Or(
                      pre.log(r, i, e, v), z3.And(in_range(i, pre.len(r), upto), pre.log(a, i, e, v)))),
                  at(pre, post, "len", (r,), length), at(pre, post, "commit", (r,), commit))


def replicate_to_secondary(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """§2 asynchronous replication: a secondary copies the acting AP's log up
    to its commit point (flaw ship-unacked: the whole log, and serves it)."""
    a, r = c("a", REPLICA), c("r", REPLICA)
    upto = pre.len(a) if "ship-unacked" in flaws else pre.commit(a)
    guard = z3.And(pre.acting(a), r != a, z3.Not(pre.pp(pre.cur, r)), pre.connected(a, r))
    return Step("replicate_to_secondary", "§2 asynchronous replication", (a, r),
                z3.And(guard, catch_up(pre, post, flaws, r, a, upto)), frozenset({"log", "len", "commit"}))


def truncate(pre: Vocab, post: Vocab, flaws: Flaws, r: Any, a: Any, cpos: Any, flushed: bool = True) -> Any:
    """`r` drops the suffix of its log that `a`'s log lacks (model.replication.rejoin_log).

    `cpos` is the last LSN both hold (i0 if none); with log matching that is
    the longest common prefix. Flaw keep-divergent-suffix: nothing is dropped.
    """
    if "keep-divergent-suffix" in flaws:
        return z3.BoolVal(True)
    e, v = var("e", EPOCH), var("v", VALUE)
    i = var("i", INDEX)
    last = z3.And(z3.Or(cpos == I0, z3.Exists([e, v], z3.And(pre.log(r, cpos, e, v), pre.log(a, cpos, e, v)))),
                  z3.ForAll([i, e, v], z3.Implies(z3.And(pre.log(r, i, e, v), pre.log(a, i, e, v)), LE_I(i, cpos))))
    cut = at(pre, post, "flushed", (r,), min_i(pre.flushed(r), cpos)) if flushed else z3.BoolVal(True)
    return z3.And(last, at(pre, post, "log", (r,), lambda i, e, v: z3.And(pre.log(r, i, e, v), LE_I(i, cpos))),
                  at(pre, post, "len", (r,), cpos), at(pre, post, "commit", (r,), min_i(pre.commit(r), cpos)), cut)


def rejoin(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """§2 fencing: a replica that missed an epoch adopts the current one and
    drops the suffix the acting AP does not have."""
    r, a, cpos = c("r", REPLICA), c("a", REPLICA), c("cpos", INDEX)
    guard = z3.And(pre.up(r), lt_e(pre.ep(r), pre.cur), pre.acting(a), pre.connected(a, r))
    mods = {"ep"} if "keep-divergent-suffix" in flaws else {"ep", "log", "len", "commit", "flushed"}
    return Step("rejoin", "§2 fencing", (r, a, cpos),
                z3.And(guard, truncate(pre, post, flaws, r, a, cpos), at(pre, post, "ep", (r,), pre.cur)),
                frozenset(mods))


def read(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """§2 reads: a session reads its affinity replica's committed prefix,
    after a synchronous pull from the acting AP up to its token when the
    replica is behind it (flaw read-ignores-token: never pulls; flaw
    read-ignores-foreign-token: not when the acting AP's entry at the token
    is not a write of the session's current logical session). The token
    moves up to what was read; the monitors judge the read (ryw, lost, mono)."""
    s, a = c("s", CLIENT), c("a", REPLICA)
    r = pre.aff(s)
    need = pre.tok(s)
    unchanged = z3.And(*(same(pre, post, n) for n in ("log", "len", "commit")))
    served = z3.And(unchanged, z3.BoolVal(True) if "read-ignores-token" in flaws else LE_I(need, pre.commit(r)))
    pulled = z3.And(lt_i(pre.commit(r), need), pre.acting(a), a != r, LE_I(need, pre.commit(a)),
                    pre.connected(a, r), catch_up(pre, post, flaws, r, a, need))
    body = served if "read-ignores-token" in flaws else z3.Or(served, pulled)
    i, e, v = var("i", INDEX), var("e", EPOCH), var("v", VALUE)
    params: tuple = (s, a)
    if "read-ignores-foreign-token" in flaws:
        # the acting AP's entry at the token, (ew, vw), is not a write of s's
        # current logical session (or the AP has none there): no pull
        ew, vw = c("ew", EPOCH), c("vw", VALUE)
        foreign = z3.Or(lt_i(pre.len(a), need), z3.And(pre.log(a, need, ew, vw), z3.Not(WROTE(vw, s, pre.curl(s)))))
        body = z3.Or(body, z3.And(unchanged, lt_i(pre.commit(r), need), pre.acting(a), foreign))
        params = (s, a, ew, vw)
    n = post.commit(r)

    def seen(i: Any, e: Any, v: Any) -> Any:
        return z3.And(post.log(r, i, e, v), LE_I(i, n))
    prev = z3.If(pre.rl(s) == pre.curl(s), pre.longest(s), I0)
    ryw = z3.Exists([i, e, v], z3.And(pre.acked(i, e, v), WROTE(v, s, pre.curl(s)), z3.Not(seen(i, e, v))))
    floor = z3.If(pre.hl(s) == pre.curl(s), pre.htok(s), I0)
    causal = z3.Exists([i, e, v], z3.And(pre.acked(i, e, v), LE_I(i, floor), z3.Not(seen(i, e, v))))
    lost = z3.Exists([i, e, v], z3.And(seen(i, e, v), z3.Not(pre.acked(i, e, v))))
    ghost = z3.And(at(pre, post, "tok", (s,), max_i(need, n)), at(pre, post, "rl", (s,), pre.curl(s)),
                   at(pre, post, "longest", (s,), max_i(prev, n)),
                   latch(pre, post, "bad_ryw", ryw), latch(pre, post, "bad_lost", lost),
                   latch(pre, post, "bad_mono", lt_i(n, prev)), latch(pre, post, "bad_causal", causal))
    return Step("read", "§2 reads and sessions", params, z3.And(pre.up(r), body, ghost),
                frozenset({"log", "len", "commit", "tok", "rl", "longest", "bad_ryw", "bad_lost", "bad_mono",
                           "bad_causal"}))


def move_session(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """§2 sessions: routed to another replica, the client starts a fresh
    logical session there with an empty token."""
    s, r, l = c("s", CLIENT), c("r", REPLICA), c("l", LOGICAL)
    guard = z3.And(pre.aff(s) != r, z3.Not(pre.started(l)))
    upd = z3.And(at(pre, post, "aff", (s,), r), at(pre, post, "tok", (s,), I0),
                 at(pre, post, "curl", (s,), l), at(pre, post, "started", (l,), True))
    return Step("move_session", "§2 reads and sessions", (s, r, l), z3.And(guard, upd),
                frozenset({"aff", "tok", "curl", "started"}))

