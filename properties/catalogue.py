"""The catalogue of properties (design.md §4): stated once, read by every
engine and by the design-review report."""

from __future__ import annotations

from typing import Optional

from dirproof.model import State

from . import durability, gateway, liveness, objects, sessions
from .base import FAULT_BUDGET, Assumption, Property, Violation
from .monitors import Ghost, watch

ASSUMPTIONS: dict[str, Assumption] = {
    FAULT_BUDGET: Assumption(
        FAULT_BUDGET,
        "At most one of {AP's disk, PP's disk} is lost before the PP has been replaced "
        "(holds the AP's committed log again); a region loss counts every disk in it "
        "(design.md §2, Faults).",
        lambda s: s.budget.exceeded),
}

_B = (FAULT_BUDGET,)

PROPERTIES: dict[str, Property] = {p.id: p for p in (
    Property("no-acked-write-lost",
             "Every acknowledged entry was held in at least two regions when acknowledged, stays in "
             "the log of every later AP at its LSN, and survives on some replica.",
             "A write is acknowledged only once it is committed on the primary and on a replica in "
             "a datacenter of another region.", ("000", "001", "003"), _B,
             durability.no_acked_write_lost),
    Property("one-history",
             "Two replicas never hold different entries at one LSN inside their commit points, and no "
             "two different entries are acknowledged at one LSN.",
             "Each partition is single-master: all its writes go to one primary replica, and failover "
             "is deterministic.", ("000", "001", "002"), _B, durability.one_history),
    Property("read-your-writes",
             "Within a logical session, a read sees every write the session had acknowledged before it.",
             "A session's writes are pulled back synchronously to its affinity secondary; the replica "
             "token carries that affinity.", ("000", "001", "002"), _B, sessions.read_your_writes),
    Property("monotonic-reads",
             "Within a logical session, reads never go back in LSN.",
             "Reads come from one affinity secondary per logical session; a move to another "
             "datacenter starts a new logical session.", ("000", "001"), _B, sessions.monotonic_reads),
    Property("no-read-of-lost-write",
             "A read returns only entries that were acknowledged before it.",
             "Secondaries replicate asynchronously from the primary; only committed (acknowledged) "
             "data is replicated.", ("000", "001"), _B, sessions.no_read_of_lost_write),
    Property("soft-delete-restorable",
             "For the whole retention period a soft-deleted object can be restored, and a restore "
             "brings back exactly its attributes from before the delete.",
             "Deleted users, groups and conditional-access policies can be restored by an admin for "
             "30 days.", ("000", "003"), _B, objects.soft_delete_restorable, "objects"),
    Property("no-early-purge",
             "No object is purged before its retention period (30 days by default) has ended.",
             "Soft-deleted objects are purged only after 30 days.", ("000", "003"), _B,
             objects.no_early_purge, "objects"),
    Property("no-resurrection",
             "An object permanently deleted or purged never appears again on a replica that holds "
             "the deletion, nor in a read that saw it, after any failover, replication or recovery.",
             "Deleted objects can be recovered only while soft-deleted; backup recovery restores "
             "attributes of chosen objects.", ("003",), _B, objects.no_resurrection, "objects"),
    Property("bounded-write-unavailability",
             f"When the AP is lost while the PP is up and in sync and a new PP is available, writes are accepted "
             f"again within {liveness.FAILOVER_STEPS} orchestrator step; a read at an up replica whose "
             f"commit point covers the session token is always served.",
             "Failover costs typically 1-2 minutes of write availability (about 5 minutes RTO); "
             "reads are unaffected (zero RTO).", ("000", "001"), _B,
             liveness.bounded_write_unavailability, "availability"),
    # issue 14 (causal hand-off) and issue 15 (the gateway)
    Property("causal-read",
             "A read sees every acknowledged write that a replica token handed to its session (in its "
             "logical session) covered, whichever session wrote it.",
             "Affinity and read-write consistency are carried by a replica token that is used for the later "
             "operations of the logical session; the token is what links them.", ("000", "001"), _B,
             sessions.causal_read),
    Property("reads-survive-datacenter-loss",
             f"Once the gateway's probes have detected a lost datacenter (at most probe_failures probes), a "
             f"session whose datacenter it was is rerouted within {gateway.REROUTE_STEPS} gateway step to an up "
             f"replica that covers its token, whenever one does (where a read is always served).",
             "The gateway routes traffic to healthy datacenters by transactional health probes; if a "
             "datacenter fails, reads are routed to another; time to detect under 5 minutes.", ("000", "001", "002"),
             _B, gateway.reads_survive_datacenter_loss, "availability"),
    Property("no-delete-without-retention",
             "Nothing leaves the directory except through soft delete and its retention (a purge "
             "retention days or more after the soft delete) or an explicit permanent delete of that "
             "already soft-deleted object (a typed delete names its kind): no hard delete of a live "
             "object, no delete through an id of another kind, no expiry that skips the soft delete.",
             "The directory soft-deletes instead of hard-deleting, to prevent accidental deletes; users, "
             "groups and conditional-access policies stay in the recycle bin for 30 days before they "
             "are removed for good.", ("000", "002", "003"), _B, objects.no_delete_without_retention,
             "objects"),
    Property("restore-restores-links",
             "A restore brings its object back with exactly the group memberships it had just before "
             "its soft delete (a user with its groups, a group with its members), in the same entry.",
             "Deleted users, groups and conditional-access policies can be restored for 30 days, and "
             "recovered only while soft-deleted; a group's membership is part of what a difference "
             "report compares with a snapshot.", ("000", "003"), _B, objects.restore_restores_links,
             "objects"),
)}


def check(state: State, ids=None, ghost: Optional[Ghost] = None) -> list[Violation]:
    """Every property (or those named) that does not hold in `state` (with
    `ghost`, the monitors' memory of its history; computed when not given)."""
    ghost = ghost if ghost is not None else watch(state)
    out = []
    for pid in ids or PROPERTIES:
        msg = PROPERTIES[pid].judge(state, ghost)
        if msg:
            out.append(Violation(pid, msg))
    return out


def broken_assumptions(state: State) -> list[str]:
    """The ids of the assumptions that `state` has gone beyond."""
    return [a.id for a in ASSUMPTIONS.values() if a.broken(state)]


def first_violation(state: State, ids=None, ghost: Optional[Ghost] = None) -> Optional[Violation]:
    ghost = ghost if ghost is not None else watch(state)
    for pid in ids or PROPERTIES:
        msg = PROPERTIES[pid].judge(state, ghost)
        if msg:
            return Violation(pid, msg)
    return None
