"""The inductive invariant of the parametric form: the auxiliary invariants
of properties/invariants.py and the universal parts of the five replication
properties (design.md §4, 1-5), each a universally quantified formula.

Each `Inv` has an id, the Python invariant it belongs to (`of`), and a
sentence on why it holds (docs/parametric.md prints them). The one
existential part of a property, "an acknowledged entry survives on some
replica", is not in the invariant (it would close a quantifier-alternation
cycle replica -> index -> replica); it is proved by implication from it
(properties.py).
"""

from __future__ import annotations

from typing import Any, Callable

import attrs
import z3

from .vocab import (CLIENT, E0, EPOCH, I0, INDEX, LE_E, LE_I, LOGICAL, REGION_OF, REPLICA, VALUE, WROTE, Vocab,
                    in_range, lt_e, lt_i, var)


@attrs.frozen
class Inv:
    id: str
    of: str  # the invariant or property of the Python model it belongs to
    why: str
    formula: Callable[[Vocab, frozenset], Any] = attrs.field(repr=False, eq=False)


r, r2, a, p = var("r", REPLICA), var("r2", REPLICA), var("a", REPLICA), var("p", REPLICA)
i, j = var("i", INDEX), var("j", INDEX)
e, e2 = var("e", EPOCH), var("e2", EPOCH)
v, v2 = var("v", VALUE), var("v2", VALUE)
s, lg = var("s", CLIENT), var("lg", LOGICAL)
F, I_, Or, And, Not = z3.ForAll, z3.Implies, z3.Or, z3.And, z3.Not


def _acked_in(V: Vocab, x: Any) -> Any:
    """x holds every acknowledged entry."""
    return F([i, e, v], I_(V.acked(i, e, v), V.log(x, i, e, v)))


def _shape(V: Vocab, fl: frozenset) -> list[tuple[str, str, Any]]:
    apart = a != p if "pp-same-region" in fl else And(a != p, REGION_OF(a) != REGION_OF(p))
    return [
        ("cur-started", "the first epoch is after e0 and epochs only grow", lt_e(E0, V.cur)),
        ("epoch-le-cur", "a replica only adopts epochs the orchestrator started", F([r], LE_E(V.ep(r), V.cur))),
        ("ap-unique", "a failover installs one AP for a fresh epoch",
         F([e, r, r2], I_(And(V.ap(e, r), V.ap(e, r2)), r == r2))),
        ("pp-unique", "likewise one PP", F([e, r, r2], I_(And(V.pp(e, r), V.pp(e, r2)), r == r2))),
        ("roles-started", "roles are installed only for the epoch the orchestrator starts",
         F([e, r], I_(Or(V.ap(e, r), V.pp(e, r)), And(lt_e(E0, e), LE_E(e, V.cur))))),
        ("roles-apart", "the orchestrator picks the PP in another region from the AP (§2 Roles)",
         F([e, a, p], I_(And(V.ap(e, a), V.pp(e, p)), apart))),
        ("primaries-current", "a failover gives the new epoch to both its AP and PP; only a disk loss takes it",
         F([r], I_(Or(V.ap(V.cur, r), V.pp(V.cur, r)), Or(V.ep(r) == V.cur, V.ep(r) == E0)))),
        ("commit-le-len", "the commit point never passes the log's end",
         F([r], LE_I(V.commit(r), V.len(r)))),
        ("log-range", "entries sit at LSNs 1..len and carry an epoch up to the holder's",
         F([r, i, e, v], I_(V.log(r, i, e, v), And(lt_i(I0, i), LE_I(i, V.len(r)), lt_e(E0, e),
                                                     LE_E(e, V.ep(r)))))),
        ("log-function", "a log holds one entry per LSN",
         F([r, i, e, v, e2, v2], I_(And(V.log(r, i, e, v), V.log(r, i, e2, v2)), And(e == e2, v == v2)))),
        ("log-contiguous", "logs grow by appending at the next LSN and shrink by dropping a suffix",
         F([r, i], I_(in_range(i, I0, V.len(r)), z3.Exists([e, v], V.log(r, i, e, v))))),
        ("lost-empty", "a replica without an epoch lost its disk and holds nothing",
         F([r], I_(V.ep(r) == E0, V.len(r) == I0))),
        ("guard-distinct", "the budget guards an AP and a PP, two replicas", V.gA != V.gP),
        ("within-budget", "the fault budget (assumed): a second guarded disk is never lost first", Not(V.exceeded)),
    ]


def _logs(V: Vocab, fl: frozenset) -> list[tuple[str, str, Any]]:
    believes = And(lt_e(E0, V.ep(a)), V.ap(V.ep(a), a))
    cur_ap = V.ap_current(a)
    return [
        ("log-matching", "an entry is copied with the whole log below it, and a log is only cut to a common prefix",
         F([r, r2, i, e, v, j, e2, v2], I_(And(V.log(r, i, e, v), V.log(r2, i, e, v), lt_i(j, i), V.log(r, j, e2, v2)),
                                          V.log(r2, j, e2, v2)))),
        ("epochs-grow", "the AP appends with its epoch, the highest in its log",
         F([r, i, e, v, j, e2, v2], I_(And(V.log(r, i, e, v), V.log(r, j, e2, v2), lt_i(j, i)), LE_E(e2, e)))),
        ("ap-holds-its-epoch", "only the AP of an epoch writes entries of it, and nobody else's log grows past it",
         F([a, r, i, v], I_(And(believes, V.log(r, i, V.ep(a), v)), V.log(a, i, V.ep(a), v)))),
        ("ap-holds-its-acked", "what was acknowledged in an epoch came from its AP's log",
         F([a, i, v], I_(And(believes, V.acked(i, V.ep(a), v)), V.log(a, i, V.ep(a), v)))),
        ("current-prefix", "replicas at the current epoch were truncated to, and copy from, the current AP",
         F([a, r, i, e, v], I_(And(cur_ap, V.ep(r) == V.cur),
                                And(LE_I(V.len(r), V.len(a)), I_(V.log(r, i, e, v), V.log(a, i, e, v)))))),
        ("deposed-fenced", "a failover moves the new PP (or AP) to the new epoch, fencing the deposed AP off",
         F([a, p], I_(And(lt_e(E0, V.ep(a)), lt_e(V.ep(a), V.cur), V.ap(V.ep(a), a), V.pp(V.ep(a), p)),
                      Or(lt_e(V.ep(a), V.ep(p)), And(V.ep(p) == E0, V.len(p) == I0))))),
    ]


def _acks(V: Vocab, fl: frozenset) -> list[tuple[str, str, Any]]:
    cur_ap = V.ap_current(a)
    held_by = lambda x: F([i, e, v], I_(V.acked(i, e, v), V.log(x, i, e, v)))  # noqa: E731
    return [
        ("commit-acked", "a commit point only moves over entries the AP acknowledged, and copies carry them",
         F([r, i, e, v], I_(And(V.log(r, i, e, v), LE_I(i, V.commit(r))), V.acked(i, e, v)))),
        ("one-acked-per-lsn", "the AP acknowledges its own log, which holds every earlier acknowledgement",
         F([i, e, v, e2, v2], I_(And(V.acked(i, e, v), V.acked(i, e2, v2)), And(e == e2, v == v2)))),
        ("acked-range", "acknowledged entries are log entries", F([i, e, v], I_(V.acked(i, e, v), And(
            lt_i(I0, i), lt_e(E0, e), LE_E(e, V.cur))))),
        ("committed-holds-acked", "below its commit point a replica holds exactly the acknowledged entries",
         F([r, i, e, v], I_(And(V.acked(i, e, v), LE_I(i, V.commit(r))), V.log(r, i, e, v)))),
        ("ap-holds-acked", "a new AP is a PP that held every acknowledged entry",
         F([a, i, e, v], I_(And(cur_ap, V.acked(i, e, v)), V.log(a, i, e, v)))),
        ("in-sync", "the PP is in sync only once it copied the whole log of the current AP",
         F([p], I_(And(V.in_sync, V.pp(V.cur, p)), And(V.ep(p) == V.cur, held_by(p))))),
        ("in-sync-guard", "syncing the current pair makes it the guarded pair",
         I_(V.in_sync, And(V.ap(V.cur, V.gA), V.pp(V.cur, V.gP)))),
        ("guard-ap", "a failover promotes the guarded PP; replacing the PP keeps the AP",
         F([a], I_(V.ap(V.cur, a), Or(a == V.gA, a == V.gP)))),
        ("guard-holds", "with no guarded disk lost, both guarded replicas hold every acknowledged entry",
         I_(Not(V.pending), And(held_by(V.gA), held_by(V.gP)))),
        ("guard-one-holds", "the budget lets only one guarded disk go before the PP syncs",
         Or(held_by(V.gA), held_by(V.gP))),
        ("guard-epoch", "with no guarded disk lost, both guarded replicas hold an epoch",
         I_(Not(V.pending), And(lt_e(E0, V.ep(V.gA)), lt_e(E0, V.ep(V.gP))))),
        ("guard-covers-shared", "an AP entry another log holds came by replicate_to_passive to the guarded PP",
         F([a, r, i, e, v], I_(And(Not(V.pending), cur_ap, V.log(a, i, e, v), V.log(r, i, e, v), r != a),
                               Or(V.acked(i, e, v), And(V.log(V.gA, i, e, v), V.log(V.gP, i, e, v)))))),
    ]


def _tokens(V: Vocab, fl: frozenset) -> list[tuple[str, str, Any]]:
    return [
        ("token-covers-reads", "a read moves the token up to what it saw",
         F([s], I_(V.rl(s) == V.curl(s), LE_I(V.longest(s), V.tok(s))))),
        ("token-covers-writes", "an acknowledgement moves its session's token up to it",
         F([s, i, e, v], I_(And(V.acked(i, e, v), WROTE(v, s, V.curl(s))), LE_I(i, V.tok(s))))),
        ("writers-started", "a write names the writer's current logical session",
         F([s, lg, r, i, e, v], I_(And(WROTE(v, s, lg), Or(V.log(r, i, e, v), V.acked(i, e, v))), V.started(lg)))),
        ("sessions-started", "a session's current and last-read logical sessions have started",
         F([s], And(V.started(V.curl(s)), V.started(V.rl(s))))),
    ]


def _handed(V: Vocab, fl: frozenset) -> list[tuple[str, str, Any]]:
    return [
        ("handed-covered", "a hand-off moves the receiver's token up to the token handed to it",
         F([s], I_(V.hl(s) == V.curl(s), LE_I(V.htok(s), V.tok(s))))),
        ("handed-started", "a token is handed to a session's current logical session",
         F([s], V.started(V.hl(s)))),
    ]


def _properties(V: Vocab, fl: frozenset) -> list[tuple[str, str, Any]]:
    return [
        ("acked-in-two-regions", "no-acked-write-lost (a): the PP, in another region, held it",
         Not(V.bad_regions)),
        ("ryw-clear", "read-your-writes", Not(V.bad_ryw)),
        ("mono-clear", "monotonic-reads", Not(V.bad_mono)),
        ("lost-clear", "no-read-of-lost-write", Not(V.bad_lost)),
        ("causal-clear", "causal-read", Not(V.bad_causal)),
    ]


def _durable(V: Vocab, fl: frozenset) -> list[tuple[str, str, Any]]:
    """§6: where the safe design keeps entries on disk (properties/invariants_durable.py)."""
    cur_ap = V.ap_current(a)
    believes = And(lt_e(E0, V.ep(a)), V.ap(V.ep(a), a))
    on_disk = lambda x: F([i, e, v], I_(V.acked(i, e, v), And(V.log(x, i, e, v), LE_I(i, V.flushed(x)))))  # noqa: E731
    return [
        ("flushed-in-log", "a flushed point is set to a log's length and cut with it",
         F([r], LE_I(V.flushed(r), V.len(r)))),
        ("ap-unflushed-own-epoch", "a new AP flushes its log; what it appends after carries its epoch",
         F([a, i, e, v], I_(And(believes, V.log(a, i, e, v), lt_i(V.flushed(a), i)), e == V.ep(a)))),
        ("ap-epoch-flushed", "only the AP of an epoch ships its entries, and it flushes what it ships",
         F([a, r, i, v], I_(And(believes, r != a, V.log(r, i, V.ep(a), v)), LE_I(i, V.flushed(a))))),
        ("ap-acked-flushed", "the AP of an epoch acknowledges only what it has flushed",
         F([a, i, v], I_(And(believes, V.acked(i, V.ep(a), v)), LE_I(i, V.flushed(a))))),
        ("shipped-flushed", "the AP ships only what it has flushed; a rejoin keeps only older epochs",
         F([a, r], I_(And(cur_ap, r != a, V.ep(r) == V.cur), LE_I(V.len(r), V.flushed(a))))),
        ("acked-flushed-ap", "the AP holds what it acknowledged flushed, and a new AP flushes its log",
         F([a, i, e, v], I_(And(cur_ap, V.acked(i, e, v)), LE_I(i, V.flushed(a))))),
        ("acked-flushed-pp", "the PP confirms only what it has flushed; an unclean crash that loses entries "
                             "takes it out of sync",
         F([p, i, e, v], I_(And(V.in_sync, V.pp(V.cur, p), V.acked(i, e, v)), LE_I(i, V.flushed(p))))),
        ("acked-flushed-guard", "with no guarded disk lost, both guarded replicas hold the acknowledged entries "
                                "on disk", I_(Not(V.pending), And(on_disk(V.gA), on_disk(V.gP)))),
        ("acked-flushed-one-guard", "one guarded replica always holds them on disk", Or(on_disk(V.gA), on_disk(V.gP))),
        ("shared-flushed", "an AP entry another log holds was shipped, so flushed by both guarded replicas",
         F([a, r, i, e, v], I_(And(Not(V.pending), cur_ap, V.log(a, i, e, v), V.log(r, i, e, v), r != a),
                               Or(V.acked(i, e, v), And(V.log(V.gA, i, e, v), V.log(V.gP, i, e, v),
                                                        LE_I(i, V.flushed(V.gA)), LE_I(i, V.flushed(V.gP))))))),
    ]


GROUPS: dict[str, Callable[[Vocab, frozenset], list[tuple[str, str, Any]]]] = {
    "shape": _shape, "log-matching": _logs, "acks": _acks, "tokens": _tokens, "handed": _handed,
    "properties": _properties, "durable": _durable}

# which Python invariant or property (properties/invariants.py, design.md §4) each one refines
OF = {"acked-in-two-regions": "no-acked-write-lost", "one-acked-per-lsn": "one-history", "ryw-clear": "read-your-writes",
      "mono-clear": "monotonic-reads", "lost-clear": "no-read-of-lost-write", "causal-clear": "causal-read"}


# which parametric invariants state each auxiliary invariant of the fixed-scope proof
# (properties/invariants.py INVARIANTS)
PYTHON = {
    "shape": ["cur-started", "epoch-le-cur", "ap-unique", "pp-unique", "roles-started", "roles-apart",
              "primaries-current", "commit-le-len", "log-range", "log-function", "log-contiguous", "lost-empty",
              "guard-distinct", "acked-range", "sessions-started"],
    "log-matching": ["log-matching", "epochs-grow"],
    "ap-holds-its-epoch": ["ap-holds-its-epoch", "ap-holds-its-acked"],
    "current-prefix": ["current-prefix"],
    "deposed-fenced": ["deposed-fenced"],
    "commit-acked": ["commit-acked", "committed-holds-acked"],
    "ap-holds-acked": ["ap-holds-acked"],
    "in-sync": ["in-sync", "in-sync-guard"],
    "guard": ["guard-ap", "guard-holds", "guard-one-holds"],
    "guard-covers-shared": ["guard-epoch", "guard-covers-shared"],
    "tokens": ["token-covers-reads", "token-covers-writes", "writers-started"],
    # §6 durability
    "flushed-shape": ["flushed-in-log", "ap-unflushed-own-epoch", "ap-epoch-flushed",
                      "ap-acked-flushed", "shipped-flushed"],
    "acked-flushed": ["acked-flushed-ap", "acked-flushed-pp", "acked-flushed-guard", "acked-flushed-one-guard"],
    "shared-flushed": ["shared-flushed"],
    "handed": ["handed-covered", "handed-started"],
    # issue 13: the form has no shrunk synchronous set and no lost change of the
    # orchestrator's record (its steps are never taken in the safe design)
    "sync-set-full": [],
}


def invariants(V: Vocab, flaws: frozenset = frozenset()) -> dict[str, Any]:
    """id -> formula over V, in a fixed order."""
    return {name: f for group in GROUPS.values() for name, _, f in group(V, flaws)}


def explanations(flaws: frozenset = frozenset()) -> dict[str, tuple[str, str]]:
    """id -> (group, why it holds)."""
    V = Vocab("")
    return {name: (g, why) for g, group in GROUPS.items() for name, why, _ in group(V, flaws)}

