"""Symmetry reduction: one key per orbit of interchangeable states.

In the model, replicas are told apart only by their region (the PP must be
in another region than the AP, design.md §2; a region loss takes every
replica of one region), sessions only by their index, and objects only by
their id and the kind it fixes (model/objects.py `kind_of`), which only a
typed delete (right kind or not: the key keeps only that) and an expiry
policy read (issue 14). So renaming replicas within a region, regions of the
same size (with their replicas), sessions and objects (of one kind, when a
kind has an expiry policy or memberships link users to groups) maps every execution
to an execution and every verdict to the same verdict: the steps and the
properties are invariant under the group. The search then stores one key
per orbit: the least key over the group (`canonical`). The initial state
need not be symmetric (its AP, PP and session placement are one point of
its orbit); the quotient search is exact because the steps commute with the
renamings, which tests/test_bfs_symmetry.py checks on small scopes (the
quotient of the full reachable set equals the reduced reachable set, and
verdicts agree).

Which symmetries a configuration keeps (`group_of`): regions are
interchangeable only if they hold as many replicas; no seeded flaw names a
particular replica, session or object, so none breaks a symmetry (each flaw
changes a rule for every replica, session or object alike; docs/bfs.md
lists them). `--no-symmetry` turns the reduction off.

The group is searched in two stages: the cheap head of the key (replicas
without logs, roles, links, sessions) is computed for every renaming of
replicas and sessions, and only the renamings that give the least head
(usually one or two) get their full key built, under every renaming of
objects.
"""

from __future__ import annotations

from itertools import permutations, product
from math import factorial
from typing import Iterator, Optional

import attrs

from dirproof.model import Config, State
from dirproof.model.config import KINDS, expiry_days
from dirproof.model.links import member_pairs
from dirproof.model.objects import kind_of
from dirproof.properties.monitors import Ghost

from .key import Relabel, head, head_fast, identity, inverse, links_order, picker, relevant, summary, tail


@attrs.frozen
class Group:
    """The renamings the search may apply: replica maps (with the region
    map each comes from), session maps and object maps."""

    replicas: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]
    sessions: tuple[tuple[int, ...], ...]
    objects: tuple[tuple[int, ...], ...]

    # (replica map, region map, inverse replica map, link order, picker by the
    # inverse map, picker of the links) per replica renaming
    elements: tuple = attrs.field(eq=False, repr=False)

    # per replica map: its Relabel with each session map (objects: identity)
    relabels: dict = attrs.field(eq=False, repr=False)

    @elements.default
    def _elements(self) -> tuple:
        n = len(self.replicas[0][0])
        return tuple((rp, gp, inverse(rp), links_order(n, rp), picker(inverse(rp)), picker(links_order(n, rp)))
                     for rp, gp in self.replicas)

    @relabels.default
    def _relabels(self) -> dict:
        return {rp: [Relabel(rp, sp, self.objects[0], gp) for sp in self.sessions] for rp, gp in self.replicas}

    @property
    def size(self) -> int:
        return len(self.replicas) * len(self.sessions) * len(self.objects)


def _replica_maps(cfg: Config, regions: bool, within: bool) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Every region-preserving renaming of replicas: (replica map, region map)."""
    groups = [[r for r in cfg.replicas if cfg.region_of(r) == g] for g in range(len(cfg.regions))]
    n_regions = len(groups)
    region_maps = [gp for gp in permutations(range(n_regions))
                   if all(len(groups[g]) == len(groups[gp[g]]) for g in range(n_regions))] if regions \
        else [tuple(range(n_regions))]
    for gp in region_maps:
        inner = [list(permutations(range(len(groups[g])))) if within else [tuple(range(len(groups[g])))]
                 for g in range(n_regions)]
        for choice in product(*inner):
            rp = [0] * len(cfg.datacenters)
            for g, members in enumerate(groups):
                target = groups[gp[g]]
                for i, r in enumerate(members):
                    rp[r] = target[choice[g][i]]
            yield tuple(rp), tuple(gp)


SYMMETRIES = ("replicas", "regions", "sessions", "objects")


def kinds_matter(cfg: Config) -> bool:
    """Some kind has an expiry policy (objects of different kinds then age
    differently), or a user and a group may be linked (a membership joins a
    user to a group, never the other way): objects of different kinds are
    then not interchangeable (issue 14)."""
    return any(expiry_days(cfg, k) > 0 for k in KINDS) or bool(member_pairs(cfg))


LIMIT = 200  # the largest group whose elements are tried per state (the key is built per element)


def group_of(cfg: Config, use: tuple[str, ...] = SYMMETRIES) -> Group:
    """The symmetry group the configuration keeps, restricted to `use`. A
    group whose replica and session renamings exceed LIMIT costs more per
    state than it saves (measured on `wide`, 3 regions x 3 replicas: 1,241
    states to depth 2 in 39 s with them, 3,621 in 6.6 s without): the region,
    then the replica renamings are left out. Session renamings are kept
    only when they alone are within LIMIT (`_session_maps`)."""
    sess = _session_maps(cfg, "sessions" in use)
    for drop in ("regions", "replicas", ""):
        reps = tuple(_replica_maps(cfg, "regions" in use, "replicas" in use))
        if len(reps) * len(sess) <= LIMIT:
            break
        use = tuple(u for u in use if u != drop)
    objs = tuple(p for p in permutations(range(cfg.objects)) if not kinds_matter(cfg)
                 or all(kind_of(p[o]) == kind_of(o) for o in p)) if "objects" in use else (tuple(range(cfg.objects)),)
    return Group(reps, sess, objs)


def _session_maps(cfg: Config, use: bool) -> tuple[tuple[int, ...], ...]:
    """Every renaming of sessions, or only the identity: never more than
    LIMIT of them enumerated (9 sessions have 362,880)."""
    if not use or factorial(cfg.sessions) > LIMIT:
        return (tuple(range(cfg.sessions)),)
    return tuple(permutations(range(cfg.sessions)))


def breaks(cfg: Config) -> dict[str, str]:
    """The symmetries this configuration breaks, with the reason."""
    sizes = {sum(1 for r in cfg.replicas if cfg.region_of(r) == g) for g in range(len(cfg.regions))}
    out = {"regions": "regions of different sizes"} if len(sizes) > 1 else {}
    full, kept = group_of(cfg, ("replicas", "regions", "sessions")), group_of(cfg, ("sessions",))
    if len(full.replicas) < len(tuple(_replica_maps(cfg, True, True))) and not out:
        out["regions"] = f"left out: the group would exceed {LIMIT} renamings of replicas and sessions"
    if len(full.replicas) == 1 and len(kept.sessions) * len(tuple(_replica_maps(cfg, False, True))) > LIMIT:
        out["replicas"] = f"left out: the group would exceed {LIMIT} renamings of replicas and sessions"
    if cfg.sessions > 1 and len(full.sessions) == 1:
        out["sessions"] = f"left out: the group would exceed {LIMIT} renamings of replicas and sessions"
    return out


def canonical(state: State, ghost: Ghost, group: Group) -> tuple:
    """The least key of `state` over the group (its orbit's representative).

    Keys compare replica summaries first, so only the renamings of replicas
    that give the least summary go on to the rest of the head, and only
    those with the least head to the (costly) tail. Objects are renamed in
    the order they first appear (`object_order`), which gives the least
    object renaming without trying each."""
    if group.size == 1:
        rl = identity(state)
        return head(state, rl), tail(state, ghost, rl)
    reps = summary(state)
    least = None
    first: list = []
    for el in group.elements:
        k = el[4](reps)
        if least is None or k < least:
            least, first = k, [el]
        elif k == least:
            first.append(el)
    best_head = None
    best: list = []
    for el in first:
        for h, rl in head_fast(state, reps, el, group.relabels[el[0]]):
            if best_head is None or h < best_head:
                best_head, best = h, [rl]
            elif h == best_head:
                best.append(rl)
    best_tail = None
    acked, reads = relevant(state) if len(group.objects) > 1 else ((), ())
    for rl in best:
        for op in _object_maps(state, ghost, rl, group, acked, reads):
            t = tail(state, ghost, rl, op)
            if best_tail is None or t < best_tail:
                best_tail = t
    return best_head, best_tail


def _object_maps(state: State, ghost: Ghost, rl: Relabel, group: Group, acked, reads) -> tuple:
    if len(group.objects) == 1:
        return group.objects
    if len(group.objects) < factorial(state.config.objects):
        return group.objects  # kinds restrict the renamings: the first-mention order may not be one of them
    order = object_order(state, ghost, rl, acked, reads)
    return group.objects if order is None else (order,)


def object_order(state: State, ghost: Ghost, rl: Relabel, acked, reads) -> Optional[tuple[int, ...]]:
    """The object map that numbers objects in the order the renamed key
    first mentions them (logs in the new replica order, then acknowledged
    entries, then reads of tombstones): the same for every renaming of
    objects of the state, so the least over them. Objects never mentioned
    are alike and take the remaining numbers in any order. None when
    snapshots exist (their views mention objects out of any log): then every
    object renaming is tried."""
    if state.snapshots:
        return None
    order: dict[int, int] = {}
    logs = [state.replicas[r].log for r in rl.rinv]
    logs += list(ghost.acked.slots) + [acked] + [ev.seen for ev in reads]
    n = state.config.objects
    for log in logs:
        for e in log:
            o = e.write.op.obj
            if o not in order:
                order[o] = len(order)
                if len(order) == n:
                    return tuple(order[i] for i in range(n))
    for o in range(n):
        if o not in order:
            order[o] = len(order)
    return tuple(order[i] for i in range(n))
