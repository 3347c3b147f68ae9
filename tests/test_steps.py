"""Every step function of the model (design.md §2): its normal effect and
each of its rejections; a rejected step never changes the state.

Profile `entra`: replicas 0=A1, 1=A2 (region A), 2=B1, 3=B2 (region B).
Epoch 1 has AP A1 and PP B1; session 0 has affinity to A2, session 1 to B2.
"""

import pytest

from dirproof.model import (SYSTEM, Acked, Acknowledge, ClientWrite, Crash, Create,
                            EmergencyFailover, FailedOver, Heal, LoseDisk, LoseRegion, MoveSession,
                            Partition, PlannedFailover, Read, ReadServed, Recover, Rejected, Rejoin,
                            ReplacePassive, ReplicateToPassive, ReplicateToSecondary, State, Tick,
                            Purge, SoftDelete, Token, Update, acting_ap, believes_ap, step)
from scenarios import A1, A2, B1, B2, SYNC, go, refused, start, w

# ---------------------------------------------------------------- helpers


def written(state: State, n: int = 1, session: int = 0) -> State:
    """n objects created at the AP, replicated to the PP and acknowledged."""
    for obj in range(n):
        state = go(state, w(Create(obj), session=session))
    return go(state, *SYNC)


def lsns(log) -> list[tuple[int, int]]:
    return [(e.epoch, e.lsn) for e in log]


def failed_over_to_b1(state: State) -> State:
    """A1 crashes; the orchestrator promotes B1 with PP A2 (epoch 2)."""
    return go(state, Crash(A1), EmergencyFailover(B1, A2))


# ---------------------------------------------------------------- dispatch


def test_fast_evolve_is_attrs_evolve():
    """model/records.evolve replaces attrs.evolve on the hot paths: same copies, same errors."""
    import attrs

    from dirproof.model.records import evolve
    s = written(start())
    for inst, change in ((s, {"day": 3}), (s.replicas[0], {"up": False}),
                         (s.sessions[1], {"token": Token(1, 1)}), (s.budget, {"pending": True})):
        assert evolve(inst, **change) == attrs.evolve(inst, **change)
        assert evolve(inst) == inst
    with pytest.raises(TypeError):
        evolve(s, colour="red")


def test_unknown_action_and_replica_out_of_range_are_refused():
    s = start()
    refused(s, object(), "unknown action")
    refused(s, Crash(7), "no replica 7")
    refused(s, ClientWrite(-1, 0, Create(0)), "no replica")


# ---------------------------------------------------------------- client_write


def test_client_write_appends_at_the_ap():
    s = go(start(), w(Create(0)))
    (e,) = s.replicas[A1].log
    assert (e.epoch, e.lsn, e.op, e.origin, e.session, e.day) == (1, 1, Create(0), A1, 0, 0)
    assert s.replicas[A1].commit == 0, "appending is not acknowledging"
    assert all(s.replicas[r].log == () for r in (A2, B1, B2))
    assert not any(isinstance(ev, Acked) for ev in s.history)


def test_client_write_refusals():
    s = start()
    refused(s, ClientWrite(A1, 5, Create(0)), "no session 5")
    refused(s, w(Create(9)), "no object 9")
    refused(s, w(Create(0), at=A2), "not an active primary")
    refused(go(s, Crash(A1)), w(Create(0)), "down", "unavailable")
    refused(go(s, w(Create(0))), w(Create(0)), "already exists")


def test_a_deposed_ap_that_missed_the_new_epoch_still_takes_writes():
    """design.md is silent; the model lets it append (it can never get an ack)."""
    s = go(failed_over_to_b1(start()), Recover(A1))
    assert believes_ap(s, A1) and acting_ap(s) == B1
    s = go(s, w(Create(0), at=A1))
    assert lsns(s.replicas[A1].log) == [(1, 1)]
    refused(s, Acknowledge(A1), "fenced")


def test_system_writes_move_no_session_token():
    """Purges are written by the system (session SYSTEM), not by a client."""
    s = go(start(retention_days=1), w(Create(0)), w(SoftDelete(0)), *SYNC, Tick(1))
    tokens = s.sessions
    s = go(s, ClientWrite(A1, SYSTEM, Purge(0)), *SYNC)
    assert s.replicas[A1].log[-1].session == SYSTEM
    assert s.sessions == tokens


def test_only_the_system_purges_and_only_clients_do_the_rest():
    s = go(start(retention_days=1), w(Create(0)), w(SoftDelete(0)), *SYNC, Tick(1))
    refused(s, ClientWrite(A1, 0, Purge(0)), "system's operation")
    refused(s, ClientWrite(A1, SYSTEM, Create(1)), "client session")


# ---------------------------------------------------------------- replicate_to_passive


def test_replicate_to_passive_mirrors_the_ap_log():
    s = go(start(), w(Create(0)), w(Create(1)), ReplicateToPassive(A1))
    assert s.replicas[B1].log == s.replicas[A1].log
    assert s.replicas[B1].commit == 0
    s = go(s, Acknowledge(A1), w(Update(0, 0, 1)), ReplicateToPassive(A1))
    assert s.replicas[B1].commit == 2, "the PP learns the AP's commit point on the way"
    assert len(s.replicas[B1].log) == 3


def test_replicate_to_passive_refusals():
    s = start()
    refused(s, ReplicateToPassive(A2), "not an active primary")
    refused(s, ReplicateToPassive(A1), "already holds")
    s1 = go(s, w(Create(0)))
    refused(go(s1, Partition(A1, B1)), ReplicateToPassive(A1), "cannot reach its PP")
    refused(go(s1, Crash(B1)), ReplicateToPassive(A1), "cannot reach its PP")


def test_replicate_to_passive_is_fenced_by_a_newer_epoch():
    s = go(failed_over_to_b1(start()), Recover(A1), w(Create(0), at=A1))
    refused(s, ReplicateToPassive(A1), "fenced", "epoch 2")


def test_replicate_to_passive_waits_for_a_pp_that_must_rejoin():
    s = go(failed_over_to_b1(start()), LoseDisk(A2), Recover(A2))
    assert s.replicas[A2].epoch == 0
    refused(s, ReplicateToPassive(B1), "rejoin first")


def test_no_fencing_lets_a_deposed_ap_overwrite_the_pp():
    s = go(failed_over_to_b1(start("no-fencing")), w(Create(1), at=B1), Recover(A1),
           w(Create(0), at=A1), ReplicateToPassive(A1))
    assert s.replicas[B1].log == s.replicas[A1].log


# ---------------------------------------------------------------- acknowledge


def test_acknowledge_commits_what_the_pp_holds_and_records_it():
    s = go(start(), w(Create(0)), w(Create(1), session=1), ReplicateToPassive(A1),
           w(Update(0, 0, 1)), Acknowledge(A1))
    assert s.replicas[A1].commit == 2, "the third entry is not on the PP yet"
    acks = [ev for ev in s.history if isinstance(ev, Acked)]
    assert [(a.replica, a.epoch, a.entry.lsn) for a in acks] == [(A1, 1, 1), (A1, 1, 2)]
    assert acks[0].regions == (0, 1), "held in both regions when acknowledged"
    assert s.sessions[0].token == Token(1, 1) and s.sessions[1].token == Token(1, 2)


def test_acknowledge_refusals():
    s = start()
    refused(s, Acknowledge(A2), "not an active primary")
    refused(s, Acknowledge(A1), "nothing to acknowledge")
    s1 = go(s, w(Create(0)))
    refused(s1, Acknowledge(A1), "nothing to acknowledge")
    refused(go(s1, ReplicateToPassive(A1), Partition(A1, B1)), Acknowledge(A1), "cannot reach its PP")


def test_acknowledge_by_a_deposed_ap_is_fenced():
    s = go(failed_over_to_b1(start()), Recover(A1), w(Create(0), at=A1))
    refused(s, Acknowledge(A1), "fenced", "epoch 2")


def test_ack_before_sync_acknowledges_without_the_pp():
    s = go(start("ack-before-sync"), w(Create(0)), Acknowledge(A1))
    (ack,) = [ev for ev in s.history if isinstance(ev, Acked)]
    assert ack.regions == (0,) and s.replicas[B1].log == ()


def test_ack_moves_the_token_only_of_the_writing_logical_session():
    s = go(start(token_home="datacenter"), w(Create(0)), MoveSession(0, B2), *SYNC)
    assert s.sessions[0].token == Token(), "a moved session is a new logical session"


# ---------------------------------------------------------------- replicate_to_secondary


def test_replicate_to_secondary_copies_up_to_the_commit_point_only():
    s = go(written(start()), w(Create(1)), ReplicateToPassive(A1), ReplicateToSecondary(A2))
    assert lsns(s.replicas[A2].log) == [(1, 1)], "the unacknowledged entry is not shipped"
    assert s.replicas[A2].commit == 1


def test_ship_unacked_copies_past_the_commit_point():
    s = go(start("ship-unacked"), w(Create(0)), ReplicateToSecondary(A2))
    assert s.replicas[A2].commit == 1 and s.replicas[A1].commit == 0


def test_replicate_to_secondary_refusals():
    s = written(start())
    refused(s, ReplicateToSecondary(A1), "primary")
    refused(s, ReplicateToSecondary(B1), "primary")
    refused(go(s, Partition(A1, A2)), ReplicateToSecondary(A2), "cannot reach the AP")
    refused(go(s, Crash(A2)), ReplicateToSecondary(A2), "cannot reach the AP")
    refused(go(s, ReplicateToSecondary(A2)), ReplicateToSecondary(A2), "up to date")
    refused(go(s, Crash(A1)), ReplicateToSecondary(A2), "no acting AP")
    refused(go(s, LoseDisk(A1), Recover(A1)), ReplicateToSecondary(A2), "no acting AP")


def test_replicate_to_secondary_needs_a_rejoin_after_a_new_epoch():
    s = failed_over_to_b1(written(start()))
    refused(s, ReplicateToSecondary(B2), "rejoin first")


# ---------------------------------------------------------------- rejoin


def test_rejoin_adopts_the_epoch_and_drops_a_divergent_suffix():
    s = go(start(), w(Create(0)), Crash(A1), EmergencyFailover(B1, A2), w(Create(1), at=B1),
           *[ReplicateToPassive(B1), Acknowledge(B1)], Recover(A1))
    assert lsns(s.replicas[A1].log) == [(1, 1)]
    s = go(s, Rejoin(A1))
    assert s.replicas[A1].epoch == 2 and s.replicas[A1].log == ()
    s = go(s, ReplicateToSecondary(A1))
    assert s.replicas[A1].log == s.replicas[B1].log


def test_keep_divergent_suffix_keeps_it():
    s = go(start("keep-divergent-suffix"), w(Create(0)), Crash(A1), EmergencyFailover(B1, A2),
           Recover(A1), Rejoin(A1))
    assert s.replicas[A1].epoch == 2 and lsns(s.replicas[A1].log) == [(1, 1)]


def test_rejoin_keeps_the_common_prefix():
    s = go(written(start()), ReplicateToSecondary(B2), Crash(A1), EmergencyFailover(B1, A2))
    s = go(s, Rejoin(B2))
    assert lsns(s.replicas[B2].log) == [(1, 1)] and s.replicas[B2].commit == 1


def test_rejoin_refusals():
    s = start()
    refused(s, Rejoin(A2), "already has the current epoch")
    s = failed_over_to_b1(s)
    refused(s, Rejoin(A1), "down")
    refused(go(s, Partition(B1, B2)), Rejoin(B2), "cannot reach the AP")
    refused(go(s, Crash(B1)), Rejoin(B2), "no acting AP")


def test_a_replica_that_lost_its_disk_comes_back_at_epoch_0_and_must_rejoin():
    s = go(written(start()), ReplicateToSecondary(A2), LoseDisk(A2), Recover(A2))
    assert s.replicas[A2].epoch == 0 and s.replicas[A2].log == () and s.replicas[A2].up
    refused(s, ReplicateToSecondary(A2), "rejoin first")
    s = go(s, Rejoin(A2), ReplicateToSecondary(A2))
    assert lsns(s.replicas[A2].log) == [(1, 1)]


# ---------------------------------------------------------------- read


def test_read_returns_the_committed_prefix_and_moves_the_token():
    s = go(written(start(), 2, session=1), ReplicateToSecondary(A2), Read(0))
    ev = s.history[-1]
    assert isinstance(ev, ReadServed) and (ev.session, ev.logical, ev.replica) == (0, 0, A2)
    assert lsns(ev.seen) == [(1, 1), (1, 2)] and ev.token == Token()
    assert s.sessions[0].token == Token(1, 2)


def test_read_pulls_exactly_up_to_the_token():
    s = go(start(), w(Create(0)), w(Create(1), session=1), *SYNC)
    assert s.sessions[0].token == Token(1, 1) and s.replicas[A2].log == ()
    s = go(s, Read(0))
    assert s.replicas[A2].commit == 1 and lsns(s.replicas[A2].log) == [(1, 1)]
    assert lsns(s.history[-1].seen) == [(1, 1)]


def test_read_that_covers_its_token_does_not_pull():
    s = go(written(start()), Read(1))  # session 1 wrote nothing: token (0, 0)
    assert s.history[-1].seen == () and s.replicas[B2].log == ()


def test_read_waits_for_primary_pulls_every_time():
    s = go(start("read-waits-for-primary"), Crash(A1))
    refused(s, Read(1), "unavailable", "no AP")


def test_read_ignores_token_serves_stale_data():
    s = go(written(start("read-ignores-token")), Read(0))
    assert s.history[-1].seen == ()


def test_read_refusals():
    s = written(start())  # session 0 token (1, 1); A2 holds nothing
    refused(s, Read(5), "no session 5")
    refused(go(s, Crash(A2)), Read(0), "unavailable", "down")
    refused(go(s, Crash(A1)), Read(0), "unavailable", "no AP")
    refused(go(s, Partition(A1, A2)), Read(0), "unavailable", "cannot reach")
    refused(go(s, LoseDisk(A2), Recover(A2)), Read(0), "unavailable", "rejoin")


def test_read_is_unavailable_when_the_ap_has_not_committed_the_token():
    """A new AP whose commit point is behind a session token (possible after a
    failover) cannot serve the pull."""
    s = go(written(start()), Crash(A1), EmergencyFailover(B1, A2))
    # B1 learnt commit 0 with its copy: the acknowledgement came after it
    assert s.replicas[B1].commit == 0 and s.sessions[0].token == Token(1, 1)
    refused(s, Read(0), "unavailable", "committed only up to LSN 0")
    # once B1 re-commits the entry through its new PP, the pull succeeds
    s = go(s, ReplicateToPassive(B1), Acknowledge(B1), Read(0))
    assert lsns(s.history[-1].seen) == [(1, 1)]


# ---------------------------------------------------------------- move_session


def test_move_session_with_the_token_cached_in_the_datacenter_starts_a_new_logical_session():
    s = go(written(start(token_home="datacenter")), MoveSession(0, B2))
    assert s.sessions[0].replica == B2 and s.sessions[0].logical == 1
    assert s.sessions[0].token == Token()


def test_move_session_with_the_token_carried_by_the_client_goes_on_and_the_read_pulls():
    s = go(start(), w(Create(0)), *SYNC)
    token = s.sessions[0].token
    s = go(s, MoveSession(0, B2))
    assert (s.sessions[0].replica, s.sessions[0].logical, s.sessions[0].token) == (B2, 0, token)
    s = go(s, Read(0))
    assert lsns(s.history[-1].seen) == [(1, 1)], "B2 pulled up to the carried token"


def test_token_lost_on_move_keeps_the_logical_session_and_drops_the_token():
    s = go(start("token-lost-on-move"), w(Create(0)), *SYNC, MoveSession(0, B2))
    assert (s.sessions[0].logical, s.sessions[0].token) == (0, Token())


def test_move_session_refusals():
    s = start()
    refused(s, MoveSession(4, A1), "no session 4")
    refused(s, MoveSession(0, A2), "already has affinity")
    refused(s, MoveSession(0, 9), "no replica 9")


# ---------------------------------------------------------------- faults


def test_crash_keeps_the_log_and_recover_brings_it_back():
    s = go(written(start()), Crash(B1))
    assert not s.replicas[B1].up and lsns(s.replicas[B1].log) == [(1, 1)]
    s = go(s, Recover(B1))
    assert s.replicas[B1].up and lsns(s.replicas[B1].log) == [(1, 1)] and s.replicas[B1].epoch == 1


def test_crash_and_recover_refusals():
    s = start()
    refused(s, Recover(A1), "already up")
    refused(go(s, Crash(A1)), Crash(A1), "already down")


def test_lose_disk_destroys_log_commit_and_epoch():
    s = go(written(start()), LoseDisk(B1))
    assert s.replicas[B1].up is False and s.replicas[B1].log == ()
    assert (s.replicas[B1].epoch, s.replicas[B1].commit) == (0, 0)
    refused(s, LoseDisk(B1), "already lost")
    # a recovered empty replica can lose its disk again only once it is up
    assert not isinstance(step(go(s, Recover(B1)), LoseDisk(B1)), Rejected)


def test_partition_and_heal():
    s = go(start(), Partition(B2, A1))
    assert s.cut == ((A1, B2),)
    refused(s, Partition(A1, B2), "already cut")
    refused(s, Partition(A1, A1), "no link")
    s = go(s, Heal(B2, A1))
    assert s.cut == ()
    refused(s, Heal(A1, B2), "not cut off")
    refused(s, Heal(A2, A2), "no link")


def test_lose_region_is_disk_loss_of_every_datacenter_in_it():
    s = go(written(start()), LoseRegion(1))
    for r in (B1, B2):
        assert not s.replicas[r].up and s.replicas[r].log == () and s.replicas[r].epoch == 0
    assert s.replicas[A1].up and len(s.replicas[A1].log) == 1
    refused(s, LoseRegion(1), "already lost")
    refused(s, LoseRegion(2), "no region")


def test_lose_region_spends_the_fault_budget_once_per_primary():
    s = go(written(start()), LoseRegion(1))
    assert s.budget.pending and not s.budget.exceeded
    s = go(written(start()), LoseRegion(0), LoseRegion(1))
    assert s.budget.exceeded


def test_fault_budget_losing_both_primaries_disks_exceeds_it():
    s = go(written(start()), LoseDisk(B1))
    assert s.budget.pending and not s.budget.exceeded
    s = go(s, LoseDisk(A1))
    assert s.budget.exceeded


def test_fault_budget_secondary_disks_are_free():
    s = go(written(start()), LoseDisk(A2), LoseDisk(B2))
    assert not s.budget.pending and not s.budget.exceeded


def test_fault_budget_is_made_good_when_the_replacement_pp_has_copied_the_log():
    s = go(written(start()), LoseDisk(B1), ReplacePassive(B2))
    assert s.budget.pending
    s = go(s, ReplicateToPassive(A1))
    assert not s.budget.pending and s.budget.guard == (A1, B2)
    s = go(s, LoseDisk(A1))
    assert s.budget.pending and not s.budget.exceeded


# ---------------------------------------------------------------- emergency_failover


def test_emergency_failover_promotes_the_pp_and_resyncs_the_new_pp():
    s = go(written(start()), w(Create(1)), ReplicateToSecondary(A2), Crash(A1),
           EmergencyFailover(B1, A2))
    orch = s.orchestrator
    assert (orch.epoch, orch.ap, orch.pp) == (2, B1, A2)
    assert s.replicas[B1].epoch == 2 and s.replicas[A2].epoch == 2
    assert s.history[-1] == FailedOver("emergency", 2, B1, A2)
    assert acting_ap(s) == B1 and believes_ap(s, B1)
    s = go(s, w(Create(1), at=B1), ReplicateToPassive(B1), Acknowledge(B1))
    assert s.replicas[A2].log == s.replicas[B1].log


@pytest.mark.parametrize("cause", ["crash", "disk", "cut"])
def test_emergency_failover_when_the_ap_is_down_lost_or_cut_off(cause):
    fault = {"crash": Crash(A1), "disk": LoseDisk(A1), "cut": Partition(A1, B1)}[cause]
    s = go(written(start()), fault, EmergencyFailover(B1, A2))
    assert s.orchestrator.ap == B1 and acting_ap(s) == B1


def test_emergency_failover_refusals():
    s = written(start())
    refused(s, EmergencyFailover(B1, A2), "no emergency failover")
    down = go(s, Crash(A1))
    refused(down, EmergencyFailover(A1, B1), "being replaced")
    refused(down, EmergencyFailover(A2, B1), "only the PP")
    refused(go(down, Crash(B1)), EmergencyFailover(B1, A2), "down")
    refused(down, EmergencyFailover(B1, B1), "both AP and PP")
    refused(down, EmergencyFailover(B1, B2), "AP's region")
    refused(down, EmergencyFailover(B1, A1), "down or cut off")
    refused(go(down, Partition(B1, A2)), EmergencyFailover(B1, A2), "down or cut off")


def test_emergency_failover_refuses_a_pp_that_lost_its_state():
    s = go(written(start()), Crash(A1), LoseDisk(B1), Recover(B1))
    refused(s, EmergencyFailover(B1, A2), "lost its state")


def test_emergency_failover_refuses_a_pp_not_yet_in_sync():
    s = go(written(start()), LoseDisk(A1), EmergencyFailover(B1, A2), Crash(B1))
    assert not s.orchestrator.pp_in_sync
    refused(s, EmergencyFailover(A2, B2), "not caught up")


def test_failover_waits_for_old_ap_never_fails_over():
    refused(go(start("failover-waits-for-old-ap"), Crash(A1)), EmergencyFailover(B1, A2),
            "waits for it")


def test_promote_any_secondary_promotes_a_secondary():
    s = go(start("promote-any-secondary"), Crash(A1), EmergencyFailover(A2, B1))
    assert s.orchestrator.ap == A2


def test_pp_same_region_allows_a_pp_beside_the_ap():
    s = go(start("pp-same-region"), Crash(A1), EmergencyFailover(B1, B2))
    assert s.orchestrator.pp == B2


def test_token_reset_on_failover_renumbers_tokens():
    s = go(written(start("token-reset-on-failover")), Crash(A1), EmergencyFailover(B1, A2))
    assert all(sess.token == Token(2, 0) for sess in s.sessions)
    s = go(written(start()), Crash(A1), EmergencyFailover(B1, A2))
    assert s.sessions[0].token == Token(1, 1)


# ---------------------------------------------------------------- planned_failover


def test_planned_failover_swaps_a_caught_up_pair():
    s = go(written(start()), PlannedFailover())
    orch = s.orchestrator
    assert (orch.epoch, orch.ap, orch.pp) == (2, B1, A1)
    assert s.replicas[A1] == s.replicas[B1]
    assert s.replicas[B1].epoch == 2 and s.replicas[B1].commit == 1
    assert s.history[-1] == FailedOver("planned", 2, B1, A1)
    assert orch.pp_in_sync


def test_planned_failover_refusals():
    s = go(start(), w(Create(0)))
    refused(s, PlannedFailover(), "catch up")
    refused(go(s, Crash(A1)), PlannedFailover(), "cannot talk")
    refused(go(s, ReplicateToPassive(A1), Partition(A1, B1)), PlannedFailover(), "cannot talk")
    refused(go(start(), LoseDisk(B1), Recover(B1)), PlannedFailover(), "current epoch")


# ---------------------------------------------------------------- replace_passive


def test_replace_passive_keeps_the_ap_and_installs_a_new_pp():
    s = go(written(start()), Crash(B1), ReplacePassive(B2))
    orch = s.orchestrator
    assert (orch.epoch, orch.ap, orch.pp) == (2, A1, B2) and not orch.pp_in_sync
    assert s.replicas[A1].epoch == 2 and s.replicas[B2].epoch == 2
    assert s.history[-1] == FailedOver("replace-passive", 2, A1, B2)
    s = go(s, ReplicateToPassive(A1))
    assert s.orchestrator.pp_in_sync and s.replicas[B2].log == s.replicas[A1].log


def test_replace_passive_refusals():
    s = written(start())
    refused(s, ReplacePassive(B2), "nothing to replace")
    refused(go(s, Crash(A1)), ReplacePassive(B2), "not serving")
    cut = go(s, Partition(A1, B1))
    refused(cut, ReplacePassive(A2), "AP's region")
    refused(cut, ReplacePassive(B1), "down or cut off")
    refused(cut, ReplacePassive(A1), "both AP and PP")


def test_a_two_region_topology_gives_up_writes_after_a_region_loss():
    """No valid PP remains: availability is given up, never acknowledged data."""
    s = go(written(start()), LoseRegion(1))
    for new_pp in (A2, B1, B2):
        refused(s, ReplacePassive(new_pp))
    refused(s, Acknowledge(A1), "cannot reach its PP")
    s = go(written(start()), LoseRegion(0))
    for new_pp in (A1, A2, B2):
        refused(s, EmergencyFailover(B1, new_pp))


# ---------------------------------------------------------------- tick


def test_tick_advances_the_clock_and_takes_snapshots():
    s = go(written(start()), Tick(1))
    assert s.day == 1 and [sn.day for sn in s.snapshots] == [1]
    assert s.snapshots[0].view[0] is not None


def test_tick_refuses_to_go_backwards_or_stand_still():
    refused(start(), Tick(0), "forward")
    refused(start(), Tick(-3), "forward")


def test_a_disk_already_lost_is_not_counted_twice_against_the_budget():
    """Losing B1 again, or its whole region, spends nothing more: the guarded
    copy on B1 was lost once."""
    for more in ([LoseRegion(1)], [Recover(B1), LoseDisk(B1)]):
        s = go(start(), LoseDisk(B1), *more)
        assert s.budget.pending and not s.budget.exceeded
    s = go(start(), LoseDisk(B1), LoseDisk(A1))
    assert s.budget.exceeded
