"""Symmetry reduction of the breadth-first engine (dirproof/bfs/symmetry.py).

A renaming that is not a symmetry of the model makes the reduced search
unsound, so the group is checked, not trusted: on small scopes the reduced
search must store exactly the orbits of the full reachable set (the
canonical keys of every state the unreduced search reaches), and a wrong
group (a renaming across regions) must fail that same check.
"""

import pytest

from dirproof.bfs import Bounds, search
from dirproof.bfs.search import Problem, root
from dirproof.bfs.symmetry import SYMMETRIES, Group, breaks, canonical, group_of
from dirproof.model import make_config
from dirproof.properties import PROPERTIES

SMALL = Bounds(writes=1, epochs=2, faults=1, days=0, depth=3)


def full_nodes(cfg, bounds):
    """Every node the unreduced search reaches (states and ghosts kept)."""
    problem = Problem(bounds, group_of(cfg, ()), (), False)
    first = root(problem, cfg)
    seen, frontier, nodes = {first[4]}, [first], [first]
    for _ in range(bounds.depth):
        nxt = []
        for node in frontier:
            for _, child in problem.successors(node):
                if child[4] not in seen:
                    seen.add(child[4])
                    nxt.append(child)
        nodes += nxt
        frontier = nxt
    return nodes


def orbits(nodes, group):
    return {hash(canonical(s, g, group)) for s, g, *_ in nodes}


def reduced(cfg, bounds, group):
    """The canonical keys the reduced search stored (one per orbit)."""
    return set(search(cfg, bounds, (), group=group).store.used)


@pytest.mark.parametrize("profile, flaws, fewer", [("entra", (), True), ("entra", ("no-fencing",), True),
                                                  ("small", (), False)])
def test_the_reduced_search_stores_exactly_the_orbits_of_the_reachable_states(profile, flaws, fewer):
    cfg = make_config(profile, flaws=flaws)
    group = group_of(cfg, SYMMETRIES)
    nodes = full_nodes(cfg, SMALL)
    got = reduced(cfg, SMALL, group)
    assert got == orbits(nodes, group)
    # the reduction reduces on entra; on small (one replica per region, one
    # session, one object) the AP's region tells every state's orbit apart
    assert (len(got) < len(orbits(nodes, group_of(cfg, ())))) == fewer


def test_with_snapshots_every_object_renaming_is_tried_and_still_gives_the_orbits():
    # a tick takes a snapshot: objects are then renamed by trying each map
    cfg = make_config("entra", objects=2, snapshots_kept=1, memberships=0)  # objects interchangeable (issue 14)
    b = Bounds(writes=1, epochs=2, faults=0, days=1, depth=4)
    group = group_of(cfg, SYMMETRIES)
    nodes = full_nodes(cfg, b)
    assert any(s.snapshots and any(s.snapshots[0].view) for s, *_ in nodes)  # an object in a snapshot
    assert reduced(cfg, b, group) == orbits(nodes, group)


def test_a_renaming_across_regions_is_not_a_symmetry_and_the_check_says_so():
    # the state that tells the regions apart at this bound has a session that
    # moved and started a new logical session: the token cached per
    # datacenter (issue 14); with the token carried by the client the search
    # reaches every orbit of this bound through other paths
    cfg = make_config("entra", token_home="datacenter")
    # A2 <-> B2 alone: moves a replica to the other region
    wrong = Group(replicas=(((0, 1, 2, 3), (0, 1)), ((0, 3, 2, 1), (0, 1))), sessions=((0, 1),), objects=((0, 1),))
    nodes = full_nodes(cfg, SMALL)
    assert reduced(cfg, SMALL, wrong) != orbits(nodes, wrong)


def test_the_group_of_entra_and_what_a_configuration_breaks():
    cfg = make_config("entra")
    assert group_of(cfg).size == 8 * 2  # regions x replicas in each x sessions (a user and a group: issue 14)
    assert group_of(make_config("entra", memberships=0)).size == 8 * 2 * 2  # x objects
    assert group_of(cfg, ("replicas",)).size == 4
    assert breaks(cfg) == {}
    from dirproof.model import Datacenter
    lopsided = make_config("entra", datacenters=(Datacenter("A1", 0), Datacenter("A2", 0), Datacenter("B1", 1)))
    assert "regions" in breaks(lopsided)
    assert group_of(lopsided).size == 2 * 2  # A1<->A2 only, sessions
    wide = make_config("wide")  # 3 regions x 3 replicas: too many renamings to try per state
    assert group_of(wide).size == 6 and set(breaks(wide)) == {"regions", "replicas"}
    # 9 sessions have 362,880 renamings: never enumerated (the search hung
    # before it began); the replicas' renamings are kept instead
    many = make_config("entra", sessions=9)
    assert group_of(many).size == 8 and set(breaks(many)) == {"sessions"}
    assert group_of(make_config("entra", sessions=5)).size == 120  # 5! sessions, no replica renaming


@pytest.mark.parametrize("flaw, depth", [("ship-unacked", 3), ("read-ignores-token", 4)])
def test_verdicts_and_lengths_agree_with_and_without_symmetry(flaw, depth):
    cfg = make_config("entra", flaws=[flaw])
    b = Bounds(writes=1, epochs=2, faults=0, days=0, depth=depth)
    props = tuple(PROPERTIES)
    with_sym = search(cfg, b, props)
    without = search(cfg, b, props, symmetry=())
    assert {p: f.depth for p, f in with_sym.found.items()} == {p: f.depth for p, f in without.found.items()}
    assert with_sym.found and with_sym.states < without.states


# issue 14: typed deletes and expiry policies read an object's kind (one session keeps these small).
TYPED = Bounds(writes=3, epochs=1, faults=0, days=0, depth=3)
EXPIRY = Bounds(writes=2, epochs=1, faults=0, days=1, depth=3)


@pytest.mark.parametrize("flaws, overrides, bounds, objects", [(("delete-wrong-kind",), {"memberships": 0}, TYPED, 2),
                                                               ((), {"group_expiry_days": 1, "memberships": 0},
                                                                EXPIRY, 1),
                                                               ((), {}, TYPED, 1)])
def test_with_typed_deletes_and_expiry_the_reduced_search_still_gives_the_orbits(flaws, overrides, bounds, objects):
    """A typed delete is keyed by whether it names the right kind, so
    objects stay interchangeable; an expiry policy for groups makes the
    user and the group tell apart, and the group keeps only the renamings
    that keep kinds (here: none but the identity)."""
    cfg = make_config("entra", flaws=flaws, sessions=1, **overrides)
    group = group_of(cfg, SYMMETRIES)
    assert len(group.objects) == objects
    nodes = full_nodes(cfg, bounds)
    if flaws:  # a wrong-kind delete is reached
        assert any(type(e.op).__name__ == "BulkDelete" and e.op.kind != "user" and e.op.obj == 0
                   for s, *_ in nodes for e in s.replicas[0].log)
    assert reduced(cfg, bounds, group) == orbits(nodes, group)


@pytest.mark.parametrize("overrides, bounds", [({"group_expiry_days": 1, "memberships": 0}, EXPIRY),
                                               ({}, TYPED)])
def test_under_an_expiry_policy_or_memberships_renaming_a_user_into_a_group_is_not_a_symmetry(overrides, bounds):
    cfg = make_config("entra", sessions=1, **overrides)
    kept = group_of(cfg, SYMMETRIES)
    wrong = Group(kept.replicas, kept.sessions, ((0, 1), (1, 0)))
    nodes = full_nodes(cfg, bounds)
    assert reduced(cfg, bounds, wrong) != orbits(nodes, wrong)


def test_the_fast_head_gives_the_same_keys_as_the_plain_one():
    """symmetry.canonical builds heads with key.head_fast (the replica
    renaming's parts once, pickers): the same tuples as key.head."""
    from dirproof.bfs.key import head, head_fast, summary
    cfg = make_config("entra", ("no-fencing",))
    group = group_of(cfg)
    nodes = full_nodes(cfg, Bounds(writes=1, epochs=2, faults=1, days=0, depth=2))
    for state, _, *_ in nodes[::7]:
        reps = summary(state)
        for el in group.elements:
            for h, rl in head_fast(state, reps, el, group.relabels[el[0]]):
                assert h == head(state, rl, el[3], reps)
