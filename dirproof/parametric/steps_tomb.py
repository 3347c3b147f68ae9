"""The rebuild of a replica out of contact too long, as a parametric
transition (model/tombstones.py; docs/model.md, "Tombstone lifetime").

The parametric vocabulary has no clock, no contacts and no compaction
horizon, so the transition lets any secondary be rebuilt at any time (a
superset of the model's rebuilds, which need the replica to be out of
contact for the tombstone lifetime or behind the compacted prefix); tombstone
collection changes nothing of the vocabulary (a stutter, like a tick).
"""

from __future__ import annotations

import z3

from .frames import Step, at
from .steps import Flaws, c
from .vocab import LE_I, REPLICA, Vocab


def rebuild(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """A secondary (neither the acting AP nor the current PP, and not holding
    a guarded copy of the fault budget) that can reach the acting AP takes a
    full copy of its committed log, its commit point and the current epoch."""
    a, r = c("a", REPLICA), c("r", REPLICA)
    guard = z3.And(pre.acting(a), r != a, z3.Not(pre.pp(pre.cur, r)), pre.connected(a, r),
                   r != pre.gA, r != pre.gP)
    upd = z3.And(at(pre, post, "log", (r,), lambda i, e, v: z3.And(pre.log(a, i, e, v), LE_I(i, pre.commit(a)))),
                 at(pre, post, "len", (r,), pre.commit(a)), at(pre, post, "commit", (r,), pre.commit(a)),
                 at(pre, post, "ep", (r,), pre.cur), at(pre, post, "flushed", (r,), pre.commit(a)))
    return Step("rebuild", "§2 rebuild (decided here)", (a, r), z3.And(guard, upd),
                frozenset({"log", "len", "commit", "ep", "flushed"}))
