"""Hand-written scenarios, one per seeded flaw (design.md §5), on `entra`.

Replicas: 0=A1, 1=A2 (region A), 2=B1, 3=B2 (region B). Epoch 1 has AP A1
and PP B1; session 0 reads at A2, session 1 at B2. Each scenario is the
shortest we know of that breaks the property design.md §5 names; the same
steps under the safe design are rejected or harmless. EXTRA_SCENARIOS show
the other properties a flaw breaks (FLAWS[flaw].caught_by).

Also the helpers the step tests share: start, go (run accepted steps) and
refused (a rejection that leaves the state unchanged).
"""

from dirproof.model import CrashUnclean, Flush, RetryWrite  # noqa: F401  (§6 steps)
from dirproof.model import (AcknowledgeAlone, LoseOrchestratorChange, Partition, ReplacePassive, RestoreImage,
                            ShrinkSyncSet)
from dirproof.model import HandToken, Probe
from dirproof.model import CollectTombstones, Rebuild  # noqa: F401  (tombstone lifetime)
from dirproof.model import (SYSTEM, Acknowledge, ClientWrite, Crash, Create, EmergencyFailover,
                            LoseDisk, MoveSession, PermanentDelete, PlannedFailover, Purge, Read,
                            Recover, RecoverFromBackup, Rejected, Rejoin, ReplicateToPassive,
                            ReplicateToSecondary, Restore, SoftDelete, State, Tick, Update,
                            canonical, initial_state, make_config, state_to_json, step)
from dirproof.model import AddMember, BulkDelete, Expire  # issue 14

from dirproof.model.cells import CellBadChange, CellGatewayFails, CellOrchestratorFails, CellWrite
from dirproof.model.identity import (BackupServe, ClockTick, DeliverRevocation, ForgeToken, IssueToken,
                                     PrimaryAuthFails, RetireKey, RevokePrincipal, ValidateToken)

A1, A2, B1, B2 = 0, 1, 2, 3

# ---------------------------------------------------------------- the cells layer (model/cells/)
# Cells 0, 1, 2; tenants 0 and 1 live in cell 0, tenant 2 in cell 1, tenant
# 3 in cell 2. A fault is injected into cell 0; cell 1 shows it. Each is the
# shortest there is (dirproof/cells/z3_engine.py's bounded search agrees:
# CELL_Z3_SHORTEST): one step breaks the other cells' availability.
CELL_SCENARIOS = {
    "shared-orchestrator": ("cell-isolation", [CellOrchestratorFails(0)], {}),
    "shared-gateway": ("cell-isolation", [CellGatewayFails(0)], {}),
}
CELL_Z3_SHORTEST = {"shared-orchestrator": 1, "shared-gateway": 1}
# The data half of cell-isolation: a write acknowledged in cell 1, then a bad
# change in cell 0's (shared) orchestrator instance loses it.
CELL_EXTRA_SCENARIOS = {
    "shared-orchestrator/data": ("shared-orchestrator", "cell-isolation",
                                 [CellWrite(2), CellBadChange(0)], {}),
}

# ---------------------------------------------------------------- the identity layer (model/identity/)
# Keys: 0 = K-old (enterprise, valid 0..120, leaked after), 1 = K-new
# (enterprise, valid from 60), 2 = K-consumer (leaked). Evaluators: 0 =
# the resource, 1 = the backup. Δ = 15 minutes. Each is the shortest we
# know (dirproof/identity/z3_engine.py's bounded search agrees: ID_Z3_SHORTEST).
_REVOKED = [RevokePrincipal(0), DeliverRevocation(0, 0), DeliverRevocation(1, 0)]
ID_SCENARIOS = {
    "key-scope-unchecked": ("no-out-of-scope-key-accepted", [ForgeToken(0, 2, 0, False), ValidateToken(0)], {}),
    "key-validity-unchecked": ("no-expired-key-accepted",
                               [ClockTick(121), ForgeToken(0, 0, 0, False), ValidateToken(0)], {}),
    "retire-live-key": ("live-tokens-verifiable", [IssueToken(0, 0, 0, False), RetireKey(0)], {}),
    "evaluator-ignores-revocation": ("revocation-bounded",
                                     [IssueToken(0, 0, 0, True), *_REVOKED, ClockTick(15), ValidateToken(0)], {}),
    "cae-lifetime-without-enforcement": ("revocation-bounded",
                                         [IssueToken(0, 0, 0, False), *_REVOKED, ClockTick(60), ValidateToken(0)],
                                         {}),
    "backup-serves-any-age": ("backup-fails-closed",
                              [IssueToken(0, 0, 0, False), PrimaryAuthFails(), ClockTick(3 * 24 * 60),
                               BackupServe(0)], {}),
    "backup-misses-revocations": ("backup-fails-closed",
                                  [IssueToken(0, 0, 0, False), RevokePrincipal(0), DeliverRevocation(0, 0),
                                   PrimaryAuthFails(), ClockTick(15), BackupServe(0)], {}),
    "backup-depends-on-primary": ("sessions-survive-outage", [IssueToken(0, 0, 0, False), PrimaryAuthFails()], {}),
}
# The shortest length Z3's bounded search finds for each (dirproof/identity/z3_engine.py
# `bmc`, bench/identity.py): every scenario above is that long.
ID_Z3_SHORTEST = {"key-scope-unchecked": 2, "key-validity-unchecked": 3, "retire-live-key": 2,
                  "evaluator-ignores-revocation": 6, "cae-lifetime-without-enforcement": 6,
                  "backup-serves-any-age": 4, "backup-misses-revocations": 6, "backup-depends-on-primary": 2}


def w(op, at=A1, session=0):
    return ClientWrite(at, session, op)


SYNC = [ReplicateToPassive(A1), Acknowledge(A1)]


def start(*flaws, profile="entra", **overrides) -> State:
    """The initial state of a profile with the given flaws and overrides."""
    return initial_state(make_config(profile, flaws=flaws, **overrides))


def go(state: State, *actions) -> State:
    """Run actions that must all be accepted."""
    for a in actions:
        nxt = step(state, a)
        assert not isinstance(nxt, Rejected), f"{a} rejected: {nxt.reason}"
        state = nxt
    return state


def refused(state: State, action, *words: str) -> str:
    """The action is rejected with a reason naming `words` (case-insensitive),
    and the state is exactly as before (equal, same canonical JSON)."""
    before = canonical(state_to_json(state))
    copy = state
    got = step(state, action)
    assert isinstance(got, Rejected), f"{action} was accepted"
    for word in words:
        assert word.lower() in got.reason.lower(), f"{word!r} not in {got.reason!r}"
    assert canonical(state_to_json(state)) == before
    assert state == copy
    return got.reason

SCENARIOS = {
    # flaw: (property that must break, steps, config overrides)
    "ack-before-sync": ("no-acked-write-lost", [w(Create(0)), Acknowledge(A1)], {}),
    "pp-same-region": ("no-acked-write-lost",
                       [Crash(A1), EmergencyFailover(B1, B2), w(Create(0), at=B1),
                        ReplicateToPassive(B1), Acknowledge(B1)], {}),
    "promote-any-secondary": ("no-acked-write-lost",
                              [w(Create(0)), *SYNC, Crash(A1), EmergencyFailover(A2, B1)], {}),
    "promote-unsynced-pp": ("no-acked-write-lost",
                            [w(Create(0)), *SYNC, LoseDisk(A1), EmergencyFailover(B1, A2), Crash(B1),
                             EmergencyFailover(A2, B2)], {}),
    "no-fencing": ("no-acked-write-lost",
                   [Crash(A1), EmergencyFailover(B1, A2), w(Create(0), at=B1), ReplicateToPassive(B1),
                    Acknowledge(B1), Recover(A1), ReplicateToPassive(A1)], {}),
    "keep-divergent-suffix": ("one-history",
                              [w(Create(0)), Crash(A1), EmergencyFailover(B1, A2), w(Create(1), at=B1),
                               ReplicateToPassive(B1), Acknowledge(B1), Recover(A1), Rejoin(A1),
                               ReplicateToSecondary(A1)], {}),
    "ship-unacked": ("no-read-of-lost-write", [w(Create(0)), ReplicateToSecondary(A2), Read(0)], {}),
    "read-ignores-token": ("read-your-writes", [w(Create(0)), *SYNC, Read(0)], {}),
    "token-reset-on-failover": ("read-your-writes",
                                [w(Create(0)), *SYNC, PlannedFailover(), Rejoin(A2), Read(0)], {}),
    "purge-early": ("no-early-purge",
                    [w(Create(0)), w(SoftDelete(0)), *SYNC, Tick(29), w(Purge(0), session=SYSTEM), *SYNC],
                    {}),
    "delete-without-tombstone": ("no-resurrection",
                                 [w(Create(0)), w(SoftDelete(0)), w(PermanentDelete(0)), *SYNC], {}),
    "recovery-resurrects": ("no-resurrection",
                            [w(Create(0)), *SYNC, Tick(1), w(SoftDelete(0)), w(PermanentDelete(0)),
                             w(RecoverFromBackup(0, 1, (0, 0))), *SYNC], {}),
    "restore-defaults": ("soft-delete-restorable",
                         [w(Create(0)), w(Update(0, 0, 1)), w(SoftDelete(0)), w(Restore(0)), *SYNC], {}),
    "failover-waits-for-old-ap": ("bounded-write-unavailability", [Crash(A1)], {}),
    "read-waits-for-primary": ("bounded-write-unavailability", [Crash(A1)], {}),
    # §6 durability and restart (issue 13, items 1-3)
    # B1 confirms LSN 1 from memory; a power loss takes it; A1 then loses its disk.
    "ack-unflushed-pp": ("no-acked-write-lost",
                         [w(Create(0)), *SYNC, CrashUnclean(B1), LoseDisk(A1)], {}),
    # B1's commit point (0) is stale; restarting, it drops the acknowledged LSN 1 and is promoted.
    "restart-truncates-to-commit": ("no-acked-write-lost",
                                    [w(Create(0)), *SYNC, Crash(B1), Recover(B1), Crash(A1),
                                     EmergencyFailover(B1, A2)], {}),
    # A1 restarts and commits LSN 1, which B1 never confirmed; A2 copies it and serves it.
    "restart-exposes-unconfirmed": ("no-read-of-lost-write",
                                    [w(Create(0)), Crash(A1), Recover(A1), ReplicateToSecondary(A2), Read(0)], {}),
    # The client's wait timed out; its retry is answered from A1's own log.
    "ack-retry-from-local-log": ("no-acked-write-lost", [w(Create(0)), RetryWrite(A1, 0)], {}),
    # issue 13 items 4-5. A1 drops its lagging PP B1 and acknowledges alone.
    "shrink-sync-set": ("no-acked-write-lost", [w(Create(0)), ShrinkSyncSet(), AcknowledgeAlone()], {}),
    # B1 is cut off and replaced by B2 (epoch 2); an entry is acknowledged with
    # B2; the store goes back to epoch 1 (A1, B1, in sync), A1 now looks lost
    # (its epoch 2 is not the record's), and B1, which never had the entry, is promoted.
    "orchestrator-loses-change": ("no-acked-write-lost",
                                  [Partition(A1, B1), ReplacePassive(B2), w(Create(0)), ReplicateToPassive(A1),
                                   Acknowledge(A1), LoseOrchestratorChange(), EmergencyFailover(B1, A2)], {}),
    # A1 is restored from its provisioning image (epoch 1, nothing committed)
    # and, still the AP of epoch 1, serves without the acknowledged (1, 1).
    "restore-keeps-identity": ("no-acked-write-lost", [w(Create(0)), *SYNC, RestoreImage(A1), Recover(A1)], {}),
    # issue 14: session 0's acknowledged write is handed to session 1, whose
    # lagging B2 then serves it a read without pulling up to it
    "hand-off-drops-token": ("causal-read", [w(Create(0)), *SYNC, HandToken(0, 1), Read(1)], {}),
    # issue 14: session 0 is routed from A2 to the lagging B2, keeps its
    # logical session, loses its token: its read misses its own write
    "token-lost-on-move": ("read-your-writes", [w(Create(0)), *SYNC, MoveSession(0, B2), Read(0)], {}),
    # issue 15: A2, session 0's datacenter, is down and detected after two
    # probes; the gateway still routes the session there
    "gateway-ignores-probes": ("reads-survive-datacenter-loss", [Crash(A2), Probe(A2), Probe(A2)], {}),
    # A2 copies object 0 live (the soft delete is not yet committed) and
    # copies nothing more; the object is deleted for good; 180 days later
    # (the tombstone lifetime) A2 is out of contact and the AP collects the
    # tombstone; A2 catches up instead of being rebuilt: it offers its copy
    # back, and the AP reinstates it (the safe design refuses the catch-up:
    # A2 must be rebuilt). The shortest known: Z3's search over the object
    # layer with a returning secondary (dirproof/proofs/lifecycle.py), shortened.
    "rejoin-after-tombstone-lifetime": ("no-resurrection",
                                        [w(Create(0)), *SYNC, w(SoftDelete(0)), ReplicateToSecondary(A2),
                                         w(PermanentDelete(0)), *SYNC, Tick(180), CollectTombstones(),
                                         ReplicateToSecondary(A2)], {}),
    # issue 14: a live user deleted for good at once; a soft-deleted user deleted for good by a
    # delete of groups given its id; a user (no expiry policy) expired and gone at once.
    "delete-live": ("no-delete-without-retention", [w(Create(0)), w(PermanentDelete(0)), *SYNC], {}),
    "delete-wrong-kind": ("no-delete-without-retention",
                          [w(Create(0)), w(SoftDelete(0)), w(BulkDelete(0, "group")), *SYNC], {}),
    "implicit-expiry": ("no-delete-without-retention",
                        [w(Create(0)), w(Expire(0), session=SYSTEM), *SYNC], {}),
    # issue 14: user 0 in group 1, soft-deleted and restored without the membership
    "restore-drops-links": ("restore-restores-links",
                            [w(Create(0)), w(Create(1)), w(AddMember(0, 1)), w(SoftDelete(0)), w(Restore(0)),
                             *SYNC], {}),
    **ID_SCENARIOS,
    **CELL_SCENARIOS,
    # issue 14: session 0's token is handed on to session 1; B2, behind it,
    # sees that it names session 0's write, not session 1's, and answers
    # from its own (empty) commit point without pulling
    "read-ignores-foreign-token": ("causal-read", [w(Create(0)), *SYNC, HandToken(0, 1), Read(1)], {}),
    # issue 13 item 3 (restart_unconfirmed = "truncate" as first written): B1, promoted with its stale
    # commit point 0, restarts and drops the acknowledged (1, 1) it inherited as PP.
    "restart-truncates-inherited": ("no-acked-write-lost",
                                    [w(Create(0)), *SYNC, Crash(A1), EmergencyFailover(B1, A2), Crash(B1),
                                     Recover(B1)], {}),
}

# A second property that a flaw breaks (design.md §5 names "or" for some),
# on its own scenario. name: (flaw, property that must break, steps, overrides)
EXTRA_SCENARIOS = {
    # Session 1 reads LSN 1 at B2; B2 loses its disk and comes back empty; a
    # read that ignores the token is served from the empty log (the safe
    # design must pull, and B2 must rejoin first: the read is unavailable).
    "read-ignores-token/monotonic-reads": (
        "read-ignores-token", "monotonic-reads",
        [w(Create(0)), *SYNC, ReplicateToSecondary(B2), Read(1), LoseDisk(B2), Recover(B2),
         Read(1)], {}),
    # The token (1, 1) becomes (2, 0) at the planned failover; B2, emptied by
    # a disk loss and rejoined, then serves session 1 a read of nothing.
    "token-reset-on-failover/monotonic-reads": (
        "token-reset-on-failover", "monotonic-reads",
        [w(Create(0)), *SYNC, ReplicateToSecondary(B2), Read(1), LoseDisk(B2), Recover(B2),
         PlannedFailover(), Rejoin(B2), Read(1)], {}),
    # The deposed A1 overwrites B1's acknowledged entry (2, 1) with its own
    # (1, 1) and acknowledges it: two entries acknowledged at LSN 1.
    "no-fencing/one-history": (
        "no-fencing", "one-history",
        [Crash(A1), EmergencyFailover(B1, A2), w(Create(0), at=B1), ReplicateToPassive(B1),
         Acknowledge(B1), Recover(A1), w(Create(1), at=A1), ReplicateToPassive(A1),
         Acknowledge(A1)], {}),
    # A1 keeps its unacknowledged (1, 1) on rejoin; catching up moves its
    # commit point over it; a session moved to A1 reads it.
    "keep-divergent-suffix/no-read-of-lost-write": (
        "keep-divergent-suffix", "no-read-of-lost-write",
        [w(Create(0)), Crash(A1), EmergencyFailover(B1, A2), w(Create(1), at=B1),
         ReplicateToPassive(B1), Acknowledge(B1), Recover(A1), Rejoin(A1), ReplicateToSecondary(A1),
         MoveSession(0, A1), Read(0)], {}),
    # A purge on day 29 makes the object unrestorable a day before retention ends.
    "purge-early/soft-delete-restorable": (
        "purge-early", "soft-delete-restorable",
        [w(Create(0)), w(SoftDelete(0)), *SYNC, Tick(29), w(Purge(0), session=SYSTEM)], {}),
    # The restored A1 numbers its next entry (1, 1) again, ships it over B1's
    # (1, 1) and acknowledges it: two different entries acknowledged at LSN 1.
    "restore-keeps-identity/one-history": (
        "restore-keeps-identity", "one-history",
        [w(Create(0)), *SYNC, RestoreImage(A1), Recover(A1), w(Create(1)), *SYNC], {}),
    # Backups deeper than retention (issue 14 item 7): with 2 days of
    # retention and 5 daily snapshots, the snapshot of day 1, where object 0
    # is live, is still kept when it is purged on day 3; recovery brings the
    # purged object back (on `entra`, 30 days and 5 snapshots, no kept
    # snapshot holds a purged object live).
    "recovery-resurrects/purged-in-kept-snapshot": (
        "recovery-resurrects", "no-resurrection",
        [w(Create(0)), *SYNC, Tick(1), w(SoftDelete(0)), *SYNC, Tick(2), w(Purge(0), session=SYSTEM), *SYNC,
         w(RecoverFromBackup(0, 1, (0, 0)))], {"retention_days": 2}),
    **CELL_EXTRA_SCENARIOS,
}


EXTRA_SCENARIOS.update({
    # B1 then writes its own (2, 1) over LSN 1 and commits it: A1 still holds the acknowledged (1, 1)
    "restart-truncates-inherited/one-history": (
        "restart-truncates-inherited", "one-history",
        [w(Create(0)), *SYNC, Crash(A1), EmergencyFailover(B1, A2), Crash(B1), Recover(B1), w(Create(1), at=B1),
         ReplicateToPassive(B1), Acknowledge(B1)], {}),
    # session 0 reads LSN 1 at A2, moves to the lagging B2 with an empty token
    # in the same logical session, and reads nothing there
    "token-lost-on-move/monotonic-reads": (
        "token-lost-on-move", "monotonic-reads", [w(Create(0)), *SYNC, Read(0), MoveSession(0, B2), Read(0)], {}),
})


# ---------------------------------------------------------------- Z3's shortest counterexamples
# What Z3's bounded search found on `entra` (docs/z3.md): no shorter execution
# breaks a property the flaw names. tests/test_z3_bmc.py searches the first
# ones again and replays the recorded paths (symbolic actions: name, args);
# bench/explore.py compares the exploration's lengths with them.
# flaw -> (property, shortest length found by the bounded search on `entra`)
Z3_FAST = {
    "ack-before-sync": ("no-acked-write-lost", 2),
    "ship-unacked": ("no-read-of-lost-write", 3),
    "read-ignores-token": ("read-your-writes", 4),
    "token-reset-on-failover": ("read-your-writes", 5),
    "ack-retry-from-local-log": ("no-acked-write-lost", 2),  # §6
    "shrink-sync-set": ("no-acked-write-lost", 3),
}

# Paths found by the bounded search on `entra` (see docs/z3.md), as Z3 actions.
Z3_RECORDED = {
    "pp-same-region": ("no-acked-write-lost", [
        ("lose_region", (0,)), ("emergency_failover", (2, 3)), ("client_write", (2, 0)),
        ("replicate_to_passive", (2,)), ("acknowledge", (2,))]),
    "no-fencing": ("no-acked-write-lost", [
        ("client_write", (0, 0)), ("crash", (0,)), ("emergency_failover", (2, 1)),
        ("planned_failover", ()), ("recover", (0,)), ("replicate_to_passive", (0,)),
        ("acknowledge", (0,))]),
    "promote-any-secondary": ("no-acked-write-lost", [
        ("client_write", (0, 0)), ("replicate_to_passive", (0,)), ("acknowledge", (0,)),
        ("partition", (0, 2)), ("emergency_failover", (1, 3))]),
    "keep-divergent-suffix": ("one-history", [
        ("partition", (0, 2)), ("emergency_failover", (2, 1)), ("planned_failover", ()),
        ("client_write", (1, 0)), ("replicate_to_passive", (1,)), ("client_write", (0, 0)),
        ("rejoin", (0,)), ("acknowledge", (1,)), ("replicate_to_secondary", (0,))]),
    "promote-unsynced-pp": ("no-acked-write-lost", [
        ("client_write", (0, 0)), ("replicate_to_passive", (0,)), ("acknowledge", (0,)),
        ("partition", (0, 2)), ("emergency_failover", (2, 1)), ("partition", (1, 2)),
        ("emergency_failover", (1, 3))]),
    # §6 durability and restart
    "restart-exposes-unconfirmed": ("no-read-of-lost-write", [
        ("client_write", (0, 1)), ("move_session", (0, 0)), ("crash", (0,)), ("recover", (0,)), ("read", (0,))]),
    "ack-unflushed-pp": ("no-acked-write-lost", [
        ("client_write", (0, 0)), ("replicate_to_passive", (0,)), ("acknowledge", (0,)), ("lose_disk", (0,)),
        ("crash_unclean", (2,))]),
    "restart-truncates-to-commit": ("no-acked-write-lost", [
        ("client_write", (0, 0)), ("replicate_to_passive", (0,)), ("acknowledge", (0,)), ("lose_disk", (0,)),
        ("crash", (2,)), ("recover", (2,))]),
    # issue 13: the old record makes A1 the AP of epoch 1 again, without B1's entry of epoch 2
    "orchestrator-loses-change": ("no-acked-write-lost", [
        ("partition", (0, 2)), ("emergency_failover", (2, 1)), ("client_write", (2, 0)),
        ("replicate_to_passive", (2,)), ("acknowledge", (2,)), ("lose_orchestrator_change", ())]),
    "restore-keeps-identity": ("no-acked-write-lost", [
        ("client_write", (0, 1)), ("replicate_to_passive", (0,)), ("acknowledge", (0,)),
        ("restore_image", (0,)), ("recover", (0,))]),
    # issue 14 (each about 12 s to search again: recorded, not searched in the tests)
    "hand-off-drops-token": ("causal-read", [
        ("client_write", (0, 0)), ("replicate_to_passive", (0,)), ("acknowledge", (0,)), ("hand_token", (0, 1)),
        ("read", (1,))]),
    "token-lost-on-move": ("read-your-writes", [
        ("client_write", (0, 0)), ("replicate_to_passive", (0,)), ("acknowledge", (0,)), ("move_session", (0, 3)),
        ("read", (0,))]),
    # issue 15 (searched again in tests/test_sessions_gateway.py)
    "gateway-ignores-probes": ("reads-survive-datacenter-loss", [("lose_disk", (1,)), ("probe", (1,)), ("probe", (1,))]),
    "read-ignores-foreign-token": ("causal-read", [
        ("client_write", (0, 0)), ("replicate_to_passive", (0,)), ("acknowledge", (0,)), ("hand_token", (0, 1)),
        ("read", (1,))]),
    # issue 13: B1, promoted with its stale commit point 0, restarts and cuts the acknowledged (1, 1)
    # (`dirproof bmc --flaw restart-truncates-inherited --property no-acked-write-lost --depth 7`: 90 s)
    "restart-truncates-inherited": ("no-acked-write-lost", [
        ("client_write", (0, 0)), ("replicate_to_passive", (0,)), ("acknowledge", (0,)), ("partition", (0, 2)),
        ("emergency_failover", (2, 1)), ("crash", (2,)), ("recover", (2,))]),
}

Z3_SHORTEST = {**{f: n for f, (_, n) in Z3_FAST.items()},
               **{f: len(path) for f, (_, path) in Z3_RECORDED.items()}}


# ---------------------------------------------------------------- the step each flaw changes
# The step each replication flaw changes, where the safe design's inductive
# invariant first fails under it (fixed-scope and parametric proofs alike) (its guard or its update); for
# pp-same-region, which lets failover pick a PP in the AP's region (and the
# roles invariant allows it under the flaw), where that first matters: an
# entry held in one region is acknowledged.
FLAW_STEP = {
    "ack-before-sync": "acknowledge", "pp-same-region": "acknowledge",
    "promote-any-secondary": "emergency_failover", "promote-unsynced-pp": "emergency_failover",
    "no-fencing": "replicate_to_passive", "keep-divergent-suffix": "rejoin",
    "ship-unacked": "replicate_to_secondary", "read-ignores-token": "read",
    "token-reset-on-failover": "planned_failover",
    # §6: the PP's copy stays unflushed, yet the pair is in sync and guarded
    "ack-unflushed-pp": "replicate_to_passive", "restart-truncates-to-commit": "recover",
    "restart-exposes-unconfirmed": "recover", "ack-retry-from-local-log": "retry_write",
    # issue 13 (flaws whose steps the parametric form lacks: parametric.protocol.OUTSIDE_THE_FORM)
    "shrink-sync-set": "shrink_sync_set", "orchestrator-loses-change": "lose_orchestrator_change",
    "restore-keeps-identity": "restore_image",
    "hand-off-drops-token": "hand_token", "token-lost-on-move": "move_session",
    "read-ignores-foreign-token": "read",
    "restart-truncates-inherited": "recover",
}
