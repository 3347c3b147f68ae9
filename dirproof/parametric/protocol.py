"""The parametric protocol: its initial states, its transitions and the five
replication properties (design.md §2 and §4)."""

from __future__ import annotations

from typing import Any, Callable

import z3

from . import steps, steps_durable, steps_orch, steps_sess, steps_tomb
from .frames import Step
from .vocab import CLIENT, E0, EPOCH, I0, INDEX, LE_I, REGION_OF, REPLICA, VALUE, Vocab, lt_e, var

Builder = Callable[[Vocab, Vocab, frozenset], Step]

TRANSITIONS: dict[str, Builder] = {
    "client_write": steps.client_write,
    "replicate_to_passive": steps.replicate_to_passive,
    "acknowledge": steps.acknowledge,
    "replicate_to_secondary": steps.replicate_to_secondary,
    "rejoin": steps.rejoin,
    "read": steps.read,
    "move_session": steps_sess.move_session,
    "crash": steps_orch.crash,
    "recover": steps_orch.recover,
    "lose_disk": steps_orch.lose_disk,
    "lose_region": steps_orch.lose_region,
    "partition": steps_orch.partition,
    "heal": steps_orch.heal,
    "emergency_failover": steps_orch.emergency_failover,
    "planned_failover": steps_orch.planned_failover,
    "replace_passive": steps_orch.replace_passive,
    # §6 durability and restart
    "flush": steps_durable.flush,
    "crash_unclean": steps_durable.crash_unclean,
    "retry_write": steps_durable.retry_write,
    "hand_token": steps_sess.hand_token,
    "reroute": steps_sess.reroute,
    "rebuild": steps_tomb.rebuild,
}

# Model steps that are a transition of the form under another name (issue 13):
# the safe design's restore from an image is a disk loss (model/images.py).
SAME_AS: dict[str, str] = {"restore_image": "lose_disk"}

# Flaws whose steps the form does not have (issue 13: in the safe design
# these steps are always refused, so the form needs no transition for them);
# the parametric engine makes no claim about a design with one of them.
OUTSIDE_THE_FORM = frozenset({"shrink-sync-set", "orchestrator-loses-change", "restore-keeps-identity"})

REPLICATION = ("no-acked-write-lost", "one-history", "read-your-writes", "monotonic-reads",
               "no-read-of-lost-write", "causal-read")


def initial(V: Vocab) -> Any:
    """Epoch e1 with AP a0 and PP p0 in different regions, every replica up,
    at e1 and empty, nothing cut, the PP in sync and the pair guarded, each
    session in a started logical session with an empty token, an empty
    ghost. (Affinities and extra started logical sessions are left free: a
    superset of the model's initial states.)"""
    e1, a0, p0 = z3.Const("e1", EPOCH), z3.Const("a0", REPLICA), z3.Const("p0", REPLICA)
    r, r2, e = var("r", REPLICA), var("r2", REPLICA), var("e", EPOCH)
    i, v, s = var("i", INDEX), var("v", VALUE), var("s", CLIENT)
    return z3.And(
        lt_e(E0, e1), V.cur == e1, a0 != p0, REGION_OF(a0) != REGION_OF(p0),
        z3.ForAll([e, r], V.ap(e, r) == z3.And(e == e1, r == a0)),
        z3.ForAll([e, r], V.pp(e, r) == z3.And(e == e1, r == p0)),
        z3.ForAll([r], z3.And(V.up(r), V.ep(r) == e1, V.len(r) == I0, V.commit(r) == I0, V.flushed(r) == I0)),
        z3.ForAll([r, i, e, v], z3.Not(V.log(r, i, e, v))),
        z3.ForAll([r, r2], z3.Not(V.cut(r, r2))),
        V.in_sync, V.gA == a0, V.gP == p0, z3.Not(V.pending), z3.Not(V.exceeded),
        z3.ForAll([s], z3.And(V.tok(s) == I0, V.started(V.curl(s)), V.rl(s) == V.curl(s), V.longest(s) == I0)),
        z3.ForAll([i, e, v], z3.Not(V.acked(i, e, v))),
        z3.Not(V.bad_regions), z3.Not(V.bad_ryw), z3.Not(V.bad_mono), z3.Not(V.bad_lost),
        z3.ForAll([s], z3.And(V.hl(s) == V.curl(s), V.htok(s) == I0)), z3.Not(V.bad_causal))


def properties(V: Vocab) -> dict[str, Any]:
    """The five replication properties of design.md §4 as formulas over one state."""
    a, r, r2 = var("a", REPLICA), var("r", REPLICA), var("r2", REPLICA)
    i, e, v, e2, v2 = var("i", INDEX), var("e", EPOCH), var("v", VALUE), var("e2", EPOCH), var("v2", VALUE)
    acked = V.acked(i, e, v)
    return {
        # (a) held in two regions when acknowledged, (b) in the acting AP's log,
        # (c) survives on some replica
        "no-acked-write-lost": z3.And(
            z3.Not(V.bad_regions),
            z3.ForAll([a, i, e, v], z3.Implies(z3.And(V.acting(a), acked), V.log(a, i, e, v))),
            z3.ForAll([i, e, v], z3.Implies(acked, z3.Exists([r], V.log(r, i, e, v))))),
        "one-history": z3.And(
            z3.ForAll([r, r2, i, e, v, e2, v2], z3.Implies(
                z3.And(V.log(r, i, e, v), LE_I(i, V.commit(r)), V.log(r2, i, e2, v2), LE_I(i, V.commit(r2))),
                z3.And(e == e2, v == v2))),
            z3.ForAll([i, e, v, e2, v2], z3.Implies(z3.And(acked, V.acked(i, e2, v2)),
                                                    z3.And(e == e2, v == v2)))),
        "read-your-writes": z3.Not(V.bad_ryw),
        "monotonic-reads": z3.Not(V.bad_mono),
        "no-read-of-lost-write": z3.Not(V.bad_lost),
        "causal-read": z3.Not(V.bad_causal),
    }

