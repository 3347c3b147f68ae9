"""Issue 14 items 3, 4 and 6 on the model: group memberships (links) that a
restore brings back, permanent deletes only of soft-deleted objects of the
named kind, and expiry only through soft delete and retention.

Each flaw's property breaks on its scenario (tests/scenarios.py) and holds
on the same steps under the safe design (which refuses them or keeps the
links); the knobs are read from TOML and refused out of range in one line.
"""

import pytest

from dirproof.config_file import ConfigFileError, load_config
from dirproof.model import (GONE, LIVE, SOFT_DELETED, SYSTEM, AddMember, BulkDelete, ConfigError, Create, Expire,
                            PermanentDelete, Purge, RemoveMember, Restore, SoftDelete, Tick, make_config, view_of)
from dirproof.model.links import linkset, member_pairs
from dirproof.properties import PROPERTIES
from dirproof.situations import SITUATIONS
from scenarios import A1, SCENARIOS, SYNC, go, refused, start, w

USER, GROUP, POLICY = 0, 1, 2


def view(state):
    return view_of(state.config, state.replicas[A1].log, A1)


def sys(op):
    return w(op, session=SYSTEM)


def broken(state, prop):
    return PROPERTIES[prop].check(state)


# ---------------------------------------------------------------- links (item 3)

def linked(*flaws, **over):
    return go(start(*flaws, **over), w(Create(USER)), w(Create(GROUP)), w(AddMember(USER, GROUP)), *SYNC)


def test_a_membership_is_stored_on_the_user_and_seen_from_both_ends():
    s = linked()
    assert view(s)[USER].links == (False, True) and member_pairs(s.config) == ((USER, GROUP),)
    assert linkset(view(s), USER, s.config) == (True,) and linkset(view(s), GROUP, s.config) == (True,)
    s = go(s, w(RemoveMember(USER, GROUP)))
    assert linkset(view(s), GROUP, s.config) == (False,)


def test_restore_brings_back_a_users_and_a_groups_memberships_in_its_entry():
    for obj in (USER, GROUP):
        s = go(linked(), w(SoftDelete(obj)), w(Restore(obj)), *SYNC)
        assert view(s)[USER].links == (False, True) and broken(s, "restore-restores-links") is None
    flawed = go(linked("restore-drops-links"), w(SoftDelete(USER)), w(Restore(USER)), *SYNC)
    assert view(flawed)[USER].links == (False, False)
    assert "brought back memberships (False,), not (True,)" in broken(flawed, "restore-restores-links")


def test_membership_changes_need_a_live_user_and_a_live_group_of_those_kinds():
    s = go(linked(), w(SoftDelete(GROUP)))
    refused(s, w(RemoveMember(USER, GROUP)), "members of group 1", "soft-deleted, not live")
    refused(linked(), w(AddMember(USER, GROUP)), "already a member")
    refused(linked(), w(AddMember(GROUP, GROUP)), "only users are members", "is a group")
    refused(linked(), w(AddMember(USER, USER)), "object 0 is a user, not a group")
    refused(go(start(), w(Create(USER))), w(AddMember(USER, GROUP)), "group 1", "does not exist")
    refused(go(start(memberships=0), w(Create(USER)), w(Create(GROUP))), w(AddMember(USER, GROUP)),
            "memberships are off")
    assert member_pairs(make_config("entra", memberships=0)) == ()


# ---------------------------------------------------------------- deletes (item 4)

def test_a_permanent_delete_of_a_live_object_is_refused_and_under_delete_live_breaks_retention():
    s = go(start(), w(Create(USER)))
    refused(s, w(PermanentDelete(USER)), "it is live, not soft-deleted")
    refused(s, w(BulkDelete(USER, "user")), "it is live, not soft-deleted")
    prop, steps, _ = SCENARIOS["delete-live"]
    bad = go(start("delete-live"), *steps)
    assert view(bad)[USER].status == GONE and "was live and left the directory" in broken(bad, prop)


def test_a_typed_delete_needs_the_ids_own_kind():
    s = go(start(), w(Create(USER)), w(SoftDelete(USER)))
    refused(s, w(BulkDelete(USER, "group")), "cannot delete object 0 as a group: it is a user")
    refused(s, w(BulkDelete(USER, "robot")), "no kind 'robot'")
    ok = go(s, w(BulkDelete(USER, "user")), *SYNC)
    assert view(ok)[USER].status == GONE and broken(ok, "no-delete-without-retention") is None
    bad = go(start("delete-wrong-kind"), w(Create(USER)), w(SoftDelete(USER)), w(BulkDelete(USER, "policy")), *SYNC)
    assert "by BulkDelete of a policy" in broken(bad, "no-delete-without-retention")


def test_soft_delete_then_purge_or_permanent_delete_is_how_objects_leave():
    s = go(start(), w(Create(USER)), w(Create(GROUP)), w(SoftDelete(USER)), w(SoftDelete(GROUP)),
           w(PermanentDelete(GROUP)), Tick(30), sys(Purge(USER)), *SYNC)
    assert [r.status for r in view(s)] == [GONE, GONE] and broken(s, "no-delete-without-retention") is None
    early = go(start("purge-early"), w(Create(USER)), w(SoftDelete(USER)), Tick(29), sys(Purge(USER)), *SYNC)
    assert "by Purge" in broken(early, "no-delete-without-retention")  # also caught here, not only by no-early-purge


# ---------------------------------------------------------------- expiry (item 6)

def test_no_kind_expires_by_default_and_implicit_expiry_removes_a_live_object_at_once():
    s = go(start(), w(Create(USER)), w(Create(GROUP)))
    refused(s, sys(Expire(GROUP)), "a group has no expiry policy")
    refused(s, w(Expire(GROUP)), "system's operation")
    prop, steps, _ = SCENARIOS["implicit-expiry"]
    bad = go(start("implicit-expiry"), *steps)
    assert view(bad)[USER].status == GONE and "by Expire" in broken(bad, prop)


def test_a_group_expiry_policy_soft_deletes_after_the_lifetime_and_retention_follows():
    s = go(start(group_expiry_days=3), w(Create(USER)), w(Create(GROUP)), Tick(2))
    refused(s, sys(Expire(GROUP)), "created 2 days ago, a group expires after 3 days")
    s = go(s, Tick(1))
    refused(s, sys(Expire(USER)), "a user has no expiry policy")
    s = go(s, sys(Expire(GROUP)), *SYNC)
    assert view(s)[GROUP].status == SOFT_DELETED and view(s)[GROUP].deleted_day == 3
    refused(s, sys(Purge(GROUP)), "retention is 30 days")
    s = go(s, w(Restore(GROUP)), *SYNC)
    assert view(s)[GROUP].status == LIVE and view(s)[GROUP].born == 0
    for prop in PROPERTIES.values():
        assert prop.check(s) is None, prop.id


# ---------------------------------------------------------------- knobs and coverage

def test_the_knobs_come_from_toml_with_their_ranges(tmp_path):
    path = tmp_path / "v.toml"
    path.write_text("[parameters]\ngroup_expiry_days = 180\nmemberships = 0\n")
    cfg = load_config(path)
    assert cfg.group_expiry_days == 180 and cfg.memberships == 0
    assert make_config("entra").group_expiry_days == 0 and make_config("entra").memberships == 1
    for text, words in (("group_expiry_days = -1", "not in the range 0..3650"),
                        ("memberships = 2", "memberships = 2 is not in the range 0..1")):
        path.write_text(f"[parameters]\n{text}\n")
        with pytest.raises(ConfigFileError) as err:
            load_config(path)
        assert words in str(err.value)
    with pytest.raises(ConfigError, match="memberships must be 0"):
        make_config("entra", memberships=3)


def test_the_new_situations_see_what_they_name():
    typed, links = SITUATIONS["typed-delete-acknowledged"], SITUATIONS["restore-with-memberships"]

    def seen(state, actions):
        out = set()
        for a in actions:
            from dirproof.model import step
            nxt = step(state, a)
            out |= {x.id for x in (typed, links) if x.detect(state, a, nxt)}
            state = nxt
        return out
    s = go(start(), w(Create(USER)), w(SoftDelete(USER)))
    assert seen(s, [w(BulkDelete(USER, "user")), *SYNC]) == {"typed-delete-acknowledged"}
    assert seen(s, [w(PermanentDelete(USER)), *SYNC]) == set()
    assert seen(go(linked(), w(SoftDelete(USER))), [w(Restore(USER)), *SYNC]) == {"restore-with-memberships"}
    assert seen(s, [w(Restore(USER)), *SYNC]) == set()


def test_an_object_gone_by_an_implicit_expiry_counts_as_removed_by_the_system():
    """An implicit expiry leaves no PermanentDelete or Purge entry in the log:
    soft-delete-restorable's test of "gone by the system" must still answer
    (it raised StopIteration in the review's --all-violations runs, which walk
    on past the first violation into a soft delete acknowledged by an old AP
    and an expiry at the new one), and it blames the system, not an admin."""
    from dirproof.properties.objects import _purged
    s = go(start("implicit-expiry"), w(Create(USER)), *SYNC, sys(Expire(USER)), *SYNC)
    log = s.replicas[A1].log
    assert view(s)[USER].status == GONE and _purged(log, USER, view(s)[USER])
    s = go(start(), w(Create(USER)), w(SoftDelete(USER)), w(PermanentDelete(USER)), *SYNC)
    assert not _purged(s.replicas[A1].log, USER, view(s)[USER])  # an admin's delete
