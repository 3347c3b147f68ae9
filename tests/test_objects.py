"""Directory objects, soft delete, purge, time and backups (design.md §3).

Every object operation is a client write at the AP (one log entry), judged
against the AP's view of its log; views are folded from log prefixes, so
they travel with replication and failover.
"""

import pytest

from dirproof.model import (GONE, LIVE, SOFT_DELETED, SYSTEM, ClientWrite, Crash, Create,
                            Difference, EmergencyFailover, LoseDisk, ObjectRecord, PermanentDelete,
                            PlannedFailover, Purge, RecoverFromBackup, Rejected, ReplicateToSecondary,
                            Restore, Snapshot, SoftDelete, Tick, Update, candidates, committed_view,
                            difference_report, step, view_of)
from scenarios import A1, A2, B1, SYNC, go, refused, start, w


NO_LINKS = (False, False)  # a record's group memberships on entra (issue 14): none


def view(state, replica=A1):
    """The directory as `replica` folds its whole log."""
    return view_of(state.config, state.replicas[replica].log, replica)


def purge(obj):
    return ClientWrite(A1, SYSTEM, Purge(obj))


def deleted_on_day_0(*flaws, **overrides):
    """Object 0 created with attribute 0 = 1, then soft-deleted on day 0, acknowledged."""
    return go(start(*flaws, **overrides), w(Create(0)), w(Update(0, 0, 1)), w(SoftDelete(0)), *SYNC)


# ---------------------------------------------------------------- operations


def test_create_makes_a_live_object_with_default_attributes_and_a_kind():
    s = go(start(objects=3), w(Create(0)), w(Create(1)), w(Create(2)))
    none = (False,) * 3  # no group memberships yet (issue 14: one flag per object id)
    assert view(s) == (ObjectRecord("user", (0, 0), links=none), ObjectRecord("group", (0, 0), links=none),
                       ObjectRecord("policy", (0, 0), links=none))


def test_update_sets_one_attribute():
    s = go(start(), w(Create(0)), w(Update(0, 1, 1)))
    assert view(s)[0].attrs == (0, 1) and view(s)[0].status == LIVE


def test_soft_delete_records_the_day_and_keeps_the_attributes():
    s = go(start(), Tick(3), w(Create(0)), w(Update(0, 0, 1)), w(SoftDelete(0)))
    rec = view(s)[0]
    assert (rec.status, rec.deleted_day, rec.attrs) == (SOFT_DELETED, 3, (1, 0))
    assert s.replicas[A1].log[-1].day == 3


def test_restore_brings_back_exactly_the_attributes():
    s = go(deleted_on_day_0(), Tick(29), w(Restore(0)))
    assert view(s)[0] == ObjectRecord("user", (1, 0), links=NO_LINKS)


def test_restore_defaults_brings_back_default_attributes():
    s = go(deleted_on_day_0("restore-defaults"), w(Restore(0)))
    assert view(s)[0] == ObjectRecord("user", (0, 0), links=NO_LINKS)


def test_permanent_delete_leaves_a_tombstone_on_every_replica():
    s = go(deleted_on_day_0(), w(PermanentDelete(0)), *SYNC, ReplicateToSecondary(A2))
    for r in (A1, A2, B1):
        assert view(s, r)[0].status == GONE


def test_delete_without_tombstone_removes_the_object_only_at_its_origin():
    s = go(deleted_on_day_0("delete-without-tombstone"), w(PermanentDelete(0)), *SYNC)
    assert view(s, A1)[0].status == GONE
    assert view(s, B1)[0].status == SOFT_DELETED


def test_purge_after_retention_removes_the_object():
    s = go(deleted_on_day_0(), Tick(30), purge(0))
    assert view(s)[0].status == GONE and s.replicas[A1].log[-1].session == SYSTEM


def test_purge_early_purges_one_day_early():
    s = go(deleted_on_day_0("purge-early"), Tick(29), purge(0))
    assert view(s)[0].status == GONE


def test_retention_is_a_parameter():
    s = deleted_on_day_0(retention_days=3)
    refused(go(s, Tick(2)), purge(0), "retention is 3 days")
    assert view(go(s, Tick(3), purge(0)))[0].status == GONE
    refused(go(s, Tick(3)), w(Restore(0)), "deleted 3 days ago")


# ---------------------------------------------------------------- rejections


def test_create_of_an_existing_object_is_refused():
    s = go(start(), w(Create(0)))
    refused(s, w(Create(0)), "already exists")
    refused(go(s, w(SoftDelete(0))), w(Create(0)), "already exists", "soft-deleted")


def test_create_of_a_reused_id_is_refused():
    s = go(deleted_on_day_0(), w(PermanentDelete(0)))
    refused(s, w(Create(0)), "never reused")
    s = go(deleted_on_day_0(), Tick(30), purge(0))
    refused(s, w(Create(0)), "never reused")


def test_update_refusals():
    s = start()
    refused(s, w(Update(0, 0, 1)), "does not exist")
    s = go(s, w(Create(0)))
    refused(s, w(Update(0, 2, 1)), "no attribute")
    refused(s, w(Update(0, 0, 2)), "outside the attribute domain")
    refused(go(s, w(SoftDelete(0))), w(Update(0, 0, 1)), "soft-deleted, not live")


def test_soft_delete_refusals():
    s = start()
    refused(s, w(SoftDelete(0)), "does not exist")
    refused(go(s, w(Create(0)), w(SoftDelete(0))), w(SoftDelete(0)), "not live")


def test_restore_refusals():
    s = deleted_on_day_0()
    refused(start(), w(Restore(0)), "does not exist")
    refused(go(start(), w(Create(0))), w(Restore(0)), "live, not soft-deleted")
    refused(go(s, Tick(30)), w(Restore(0)), "30 days ago", "retention")
    refused(go(s, Tick(30), purge(0)), w(Restore(0)), "gone")
    refused(go(s, w(PermanentDelete(0))), w(Restore(0)), "gone")


def test_permanent_delete_refusals():
    refused(start(), w(PermanentDelete(0)), "does not exist")
    refused(go(start(), w(Create(0))), w(PermanentDelete(0)), "live, not soft-deleted")


def test_purge_refusals():
    s = deleted_on_day_0()
    refused(go(s, Tick(29)), purge(0), "29 days ago")
    refused(go(start(), w(Create(0))), purge(0), "not soft-deleted")
    refused(go(s, w(Restore(0))), purge(0), "not soft-deleted")


def test_operations_are_judged_on_the_aps_whole_log():
    """An unacknowledged create already makes a second create conflict."""
    s = go(start(), w(Create(0)))
    assert s.replicas[A1].commit == 0
    refused(s, w(Create(0)), "already exists")


# ---------------------------------------------------------------- time and snapshots


def test_a_snapshot_every_day_and_the_last_five_kept():
    s = go(start(), w(Create(0)), *SYNC)
    for day in range(1, 8):
        s = go(s, Tick(1))
        assert s.snapshots[-1].day == day
    assert [sn.day for sn in s.snapshots] == [3, 4, 5, 6, 7]


def test_a_long_tick_takes_the_snapshots_it_jumps_over():
    s = go(start(), Tick(7))
    assert [sn.day for sn in s.snapshots] == [3, 4, 5, 6, 7] and s.day == 7


def test_snapshot_interval_and_count_are_parameters():
    s = go(start(snapshot_every_days=2, snapshots_kept=2), Tick(1), Tick(1), Tick(3), Tick(4))
    assert s.day == 9 and [sn.day for sn in s.snapshots] == [6, 8]


def test_a_snapshot_holds_the_aps_committed_view_only():
    s = go(start(), w(Create(0)), *SYNC, w(Create(1)), Tick(1))
    assert s.snapshots[0].view == committed_view(s, A1)
    assert s.snapshots[0].view[1] is None and view(s)[1] is not None


def test_no_snapshot_on_a_day_without_a_serving_ap():
    s = go(start(), Crash(A1), Tick(1))
    assert s.day == 1 and s.snapshots == ()


def test_tick_can_jump_to_the_retention_boundaries():
    s = go(deleted_on_day_0(), Tick(2))
    ticks = sorted(a.days for a in candidates(s) if isinstance(a, Tick))
    # to age 29 (retention - 1) and age 30 (retention); and to the tombstone
    # lifetime (180) of the last contacts: day 0 (178 days on) and day 2 (180)
    assert ticks == [1, 27, 28, 178, 180]


# ---------------------------------------------------------------- difference report


def rec(attrs_, status=LIVE, day=None):
    return ObjectRecord("user", attrs_, status, day)


def test_difference_report_on_a_hand_made_example():
    then = Snapshot(3, (rec((1, 0)), rec((0, 0)), None, rec((1, 1)), rec((0, 1)),
                        rec((0, 0), SOFT_DELETED, 2)))
    now = (rec((1, 1)),                 # 0: attribute 1 changed
           rec((0, 0), SOFT_DELETED, 4),  # 1: soft-deleted since
           rec((0, 0)),                 # 2: created since
           rec((1, 1)),                 # 3: unchanged
           rec((0, 1), GONE),           # 4: gone (permanently deleted or purged)
           rec((0, 0), GONE))           # 5: purged after its soft delete
    assert difference_report(then, now) == Difference(created=(2,), changed=((0, (1,)),),
                                                      deleted=(1, 4, 5))


def test_difference_report_lists_every_changed_attribute():
    then = Snapshot(1, (rec((0, 0)),))
    assert difference_report(then, (rec((1, 1)),)).changed == ((0, (0, 1)),)
    assert difference_report(then, (rec((0, 0)),)) == Difference((), (), ())


def test_difference_report_against_a_real_snapshot():
    s = go(start(), w(Create(0)), *SYNC, Tick(1), w(Update(0, 1, 1)), w(Create(1)), *SYNC)
    assert difference_report(s.snapshots[-1], committed_view(s, A1)) == \
        Difference(created=(1,), changed=((0, (1,)),), deleted=())


# ---------------------------------------------------------------- recovery from backup


def with_snapshot(*flaws):
    """Object 0 with attributes (1, 0) snapshotted on day 1, then changed to (1, 1)."""
    return go(start(*flaws), w(Create(0)), w(Update(0, 0, 1)), *SYNC, Tick(1),
              w(Update(0, 1, 1)), *SYNC)


def test_recovery_restores_a_live_objects_attributes():
    s = go(with_snapshot(), w(RecoverFromBackup(0, 1, (1, 0))))
    assert view(s)[0] == ObjectRecord("user", (1, 0), links=NO_LINKS)


def test_recovery_of_a_soft_deleted_object_makes_it_live():
    s = go(with_snapshot(), w(SoftDelete(0)), w(RecoverFromBackup(0, 1, (1, 0))))
    assert view(s)[0] == ObjectRecord("user", (1, 0), LIVE, None, links=NO_LINKS)


def test_recovery_refusals():
    s = with_snapshot()
    refused(s, w(RecoverFromBackup(0, 5, (1, 0))), "no snapshot of day 5")
    refused(s, w(RecoverFromBackup(1, 1, (0, 0))), "has no object 1")
    refused(s, w(RecoverFromBackup(0, 1, (0, 0))), "do not match")


def test_recovery_of_an_object_created_after_the_snapshot_is_refused():
    s = go(with_snapshot(), w(Create(1)))
    refused(s, w(RecoverFromBackup(1, 1, (0, 0))), "has no object 1")


def test_recovery_of_a_permanently_deleted_or_purged_object_is_refused():
    gone = go(with_snapshot(), w(SoftDelete(0)), w(PermanentDelete(0)))
    refused(gone, w(RecoverFromBackup(0, 1, (1, 0))), "permanently deleted or purged")
    purged = go(with_snapshot(), w(SoftDelete(0)), *SYNC, Tick(30), purge(0))
    last = purged.snapshots[-1]
    assert last.day == 31 and last.view[0].status == SOFT_DELETED
    refused(purged, w(RecoverFromBackup(0, 31, (1, 1))), "permanently deleted or purged")


def test_recovery_resurrects_brings_back_a_gone_object():
    s = go(with_snapshot("recovery-resurrects"), w(SoftDelete(0)), w(PermanentDelete(0)),
           w(RecoverFromBackup(0, 1, (1, 0))))
    assert view(s)[0].status == LIVE


def test_a_snapshot_that_aged_out_can_no_longer_be_used():
    s = go(with_snapshot(), Tick(5))
    assert [sn.day for sn in s.snapshots] == [2, 3, 4, 5, 6]
    refused(s, w(RecoverFromBackup(0, 1, (1, 0))), "no snapshot of day 1")


# ---------------------------------------------------------------- across failovers


@pytest.mark.parametrize("failover", ["emergency", "planned"])
def test_a_soft_delete_acknowledged_before_a_failover_is_restorable_after_it(failover):
    s = deleted_on_day_0()
    if failover == "emergency":
        s = go(s, Crash(A1), EmergencyFailover(B1, A2))
    else:
        s = go(s, PlannedFailover())
    assert s.orchestrator.ap == B1
    s = go(s, Tick(29), w(Restore(0), at=B1))
    assert view(s, B1)[0] == ObjectRecord("user", (1, 0), links=NO_LINKS)


def test_a_purge_acknowledged_before_a_failover_stays_after_it():
    s = go(deleted_on_day_0(), Tick(30), purge(0), *SYNC, LoseDisk(A1), EmergencyFailover(B1, A2))
    assert view(s, B1)[0].status == GONE
    refused(s, w(Create(0), at=B1), "never reused")
    refused(s, w(Restore(0), at=B1), "gone")


def test_the_views_of_replicas_follow_their_logs():
    s = go(deleted_on_day_0(), ReplicateToSecondary(A2))
    assert view(s, A2) == view(s, A1) == view(s, B1)
    assert view(s, A2)[0].status == SOFT_DELETED


def test_every_rejected_object_operation_leaves_the_state_unchanged():
    s = deleted_on_day_0()
    for op in (Create(0), Update(0, 0, 0), SoftDelete(0), PermanentDelete(1), Purge(0),
               Restore(1), RecoverFromBackup(0, 0, (0, 0))):
        got = step(s, w(op))
        assert isinstance(got, Rejected)
    assert s == deleted_on_day_0()


def test_cached_views_equal_a_fresh_fold():
    """view_of caches folds by log identity; the cache must never change a view."""
    from dirproof.model.objects import _fold
    s = go(with_snapshot(), w(SoftDelete(0)), w(Create(1)), *SYNC)
    for r, rep in enumerate(s.replicas):
        for upto in range(len(rep.log) + 1):
            prefix = rep.log[:upto]
            assert view_of(s.config, prefix, r) == _fold(s.config, prefix, r)
            assert view_of(s.config, prefix, r) == _fold(s.config, prefix, r)  # now from the cache
    # a list is folded afresh, never cached
    assert view_of(s.config, list(s.replicas[A1].log), A1) == view(s)


def test_recovery_of_a_soft_deleted_object_past_retention_is_refused():
    """Past retention the object is due for purge: neither restore nor backup
    recovery brings it back."""
    from scenarios import SYNC, go, refused, start, w
    from dirproof.model import Create, RecoverFromBackup, Restore, SoftDelete, Tick
    s = go(start(), w(Create(0)), *SYNC, Tick(1), w(SoftDelete(0)), *SYNC, Tick(3), Tick(40))
    snap = s.snapshots[-1]
    refused(s, w(RecoverFromBackup(0, snap.day, snap.view[0].attrs)), "retention ended")
    refused(s, w(Restore(0)), "retention")
