"""The actions of the state machine: one class per protocol step.

An action names a step and its arguments; `model.next.step(state, action)`
runs the step it names (the registry `NEXT` in model/next.py pairs each
class with its step). A step that cannot happen returns a `Rejected` with
the reason and leaves the state as it was.
"""

from __future__ import annotations

from typing import Union

import attrs

from .ops import Op


@attrs.frozen
class Rejected:
    """A step that cannot happen in this state, and why (never a new state)."""

    reason: str

    def __bool__(self) -> bool:
        return False


@attrs.frozen
class ClientWrite:
    """§2 write path 1-2: a client write reaches `at`, which appends it."""

    at: int
    session: int
    op: Op


@attrs.frozen
class ReplicateToPassive:
    """§2 write path 3: the PP of `source`'s epoch copies `source`'s log."""

    source: int


@attrs.frozen
class Acknowledge:
    """§2 write path 4: `replica`, an AP, acknowledges what its PP holds."""

    replica: int


@attrs.frozen
class ReplicateToSecondary:
    """§2 asynchronous replication from the AP to `replica`."""

    replica: int


@attrs.frozen
class Rejoin:
    """§2 fencing: `replica` adopts the current epoch and drops a divergent suffix."""

    replica: int


@attrs.frozen
class Read:
    """§2 reads: `session` reads at its affinity replica, pulling up to its token."""

    session: int


@attrs.frozen
class MoveSession:
    """§2 reads: `session` is routed to `replica` and starts a new logical session."""

    session: int
    replica: int


@attrs.frozen
class Crash:
    """§2 faults: `replica` stops (its log survives)."""

    replica: int


@attrs.frozen
class Recover:
    """§2 faults: `replica` restarts."""

    replica: int


@attrs.frozen
class LoseDisk:
    """§2 faults: `replica`'s disk is destroyed."""

    replica: int


@attrs.frozen
class Partition:
    """§2 faults: the link between datacenters `a` and `b` is cut."""

    a: int
    b: int


@attrs.frozen
class Heal:
    """§2 faults: the link between `a` and `b` is restored."""

    a: int
    b: int


@attrs.frozen
class LoseRegion:
    """§2 faults: every datacenter of `region` loses its disk."""

    region: int


@attrs.frozen
class EmergencyFailover:
    """§2 failover: the orchestrator promotes `new_ap` (the PP) and picks `new_pp`."""

    new_ap: int
    new_pp: int


@attrs.frozen
class PlannedFailover:
    """§2 failover: the caught-up PP and the AP swap roles."""


@attrs.frozen
class ReplacePassive:
    """§2 failover: the AP stays, an unreachable PP is replaced by `new_pp`."""

    new_pp: int


@attrs.frozen
class Tick:
    """§3 time: the clock advances `days` days; daily snapshots are taken."""

    days: int = 1


# §6 durability and restart (issue 13, items 1-3)

@attrs.frozen
class Flush:
    """§6: `replica` writes the entries it holds in memory to its disk."""

    replica: int


@attrs.frozen
class CrashUnclean:
    """§6: `replica` stops without flushing (power loss): it keeps its flushed log."""

    replica: int


@attrs.frozen
class RetryWrite:
    """§6: a client whose wait timed out sends its write again to `at`."""

    at: int
    session: int


# issue 13 items 4-5: the synchronous set, the orchestrator's record, replica images

@attrs.frozen
class ShrinkSyncSet:
    """Synchronous set: the acting AP drops its lagging PP (flaw shrink-sync-set only)."""


@attrs.frozen
class AcknowledgeAlone:
    """Synchronous set: the acting AP, its set shrunk to itself, acknowledges its log."""


@attrs.frozen
class LoseOrchestratorChange:
    """Orchestrator fault: its store loses its latest committed change (flaw orchestrator-loses-change only)."""


@attrs.frozen
class TakeImage:
    """Operations: an image (VM snapshot, backup) of `replica` is taken."""

    replica: int


@attrs.frozen
class RestoreImage:
    """Operations: `replica`'s disk is replaced by its last image."""

    replica: int


# issue 14 (causal hand-off) and issue 15 (the gateway)

@attrs.frozen
class HandToken:
    """Issue 14: session `giver` hands its replica token to session `receiver`."""

    giver: int
    receiver: int


@attrs.frozen
class Probe:
    """Issue 15: the gateway probes the datacenter of `replica`."""

    replica: int


@attrs.frozen
class Reroute:
    """Issue 15: the gateway moves `session` off a datacenter marked unhealthy."""

    session: int


# issue 14 item 5: tombstone lifetime

@attrs.frozen
class CollectTombstones:
    """Decided here (tombstone lifetime): the AP compacts its log, collecting
    the deletion markers older than the lifetime (model/tombstones.py)."""


@attrs.frozen
class Rebuild:
    """Decided here (tombstone lifetime): a replica out of contact too long
    takes a full fresh copy of the AP's committed log."""

    replica: int


Action = Union[ClientWrite, ReplicateToPassive, Acknowledge, ReplicateToSecondary, Rejoin,
               Read, MoveSession, Crash, Recover, LoseDisk, Partition, Heal, LoseRegion,
               EmergencyFailover, PlannedFailover, ReplacePassive, Tick,
               Flush, CrashUnclean, RetryWrite,
               ShrinkSyncSet, AcknowledgeAlone, LoseOrchestratorChange, TakeImage, RestoreImage,
               HandToken, Probe, Reroute, CollectTombstones, Rebuild]


def step_name(cls_or_action) -> str:
    """The snake_case name of the step an action runs."""
    cls = cls_or_action if isinstance(cls_or_action, type) else type(cls_or_action)
    name = cls.__name__
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
