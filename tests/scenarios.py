"""Hand-written scenarios, one per seeded flaw (design.md §5), on `entra`.

Replicas: 0=A1, 1=A2 (region A), 2=B1, 3=B2 (region B). Epoch 1 has AP A1
and PP B1; session 0 reads at A2, session 1 at B2. Each scenario is the
shortest we know of that breaks the property design.md §5 names; the same
steps under the safe design are rejected or harmless.
"""

from dirproof.model import (SYSTEM, Acknowledge, ClientWrite, Crash, Create, EmergencyFailover,
                            LoseDisk, PermanentDelete, PlannedFailover, Purge, Read, Recover,
                            RecoverFromBackup, Rejoin, ReplicateToPassive, ReplicateToSecondary,
                            Restore, SoftDelete, Tick, Update)

A1, A2, B1, B2 = 0, 1, 2, 3


def w(op, at=A1, session=0):
    return ClientWrite(at, session, op)


SYNC = [ReplicateToPassive(A1), Acknowledge(A1)]

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
}
