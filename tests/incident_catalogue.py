"""The public incident catalogue (docs/incidents.md), as a registry.

Each row is a documented production incident, or a documented incident
class, in a replicated system, named by a public reference (no quotes), and
how dirproof expresses its mechanism: a design variant (seeded flaws) and a
scenario of tests/scenarios.py that breaks a property on the flawed design
and is harmless on the safe design; or why it cannot be expressed. The
model states mechanisms, not scripts of incidents: several incidents share
one flaw. tests/test_incidents.py replays every scenario on the flawed and
the safe design and checks that docs/incidents.md is `table()`;
bench/incidents.py measures `dirproof check --flaw F` (the `seconds`
column: whole-process wall-clock medians, recorded here from its output).
"""

from __future__ import annotations

from typing import NamedTuple, Optional


class Incident(NamedTuple):
    id: str
    system: str
    reference: str  # the public name a reader can look up
    mechanism: str
    flaws: tuple[str, ...]  # the design variant; () when not expressible
    scenario: Optional[str]  # a key of SCENARIOS or EXTRA_SCENARIOS (tests/scenarios.py)
    missing: str = ""  # when not expressible: what the model would need


INCIDENTS: tuple[Incident, ...] = (
    Incident("kafka-follower-truncation", "Kafka", "KIP-101 (truncation to the high watermark)",
             "a follower restarts and truncates its log to its own high watermark, which lags the leader's; "
             "it drops a committed message and is then elected leader", ("restart-truncates-to-commit",),
             "restart-truncates-to-commit"),
    Incident("kafka-new-leader-truncation", "Kafka", "KIP-101 (the same truncation on a just-elected leader)",
             "a replica just elected leader, whose high watermark is the stale one it had as follower, restarts "
             "and truncates to it: committed messages it inherited are gone", ("restart-truncates-inherited",),
             "restart-truncates-inherited"),
    Incident("kafka-unclean-election", "Kafka", "unclean.leader.election.enable",
             "an out-of-sync replica is elected leader when no in-sync one is available; the acknowledged "
             "messages it lacks are lost", ("promote-any-secondary",), "promote-any-secondary"),
    Incident("kafka-isr-shrink", "Kafka", "min.insync.replicas = 1 with acks=all",
             "the in-sync set shrinks to the leader alone, which still acknowledges acks=all writes; losing the "
             "leader loses them", ("shrink-sync-set",), "shrink-sync-set"),
    Incident("mysql-semisync-fallback", "MySQL", "rpl_semi_sync_master_timeout (semi-sync falls back to async)",
             "after the semi-synchronous wait times out the primary commits and answers without a replica's "
             "confirmation", ("shrink-sync-set",), "shrink-sync-set"),
    Incident("mongodb-w1-rollback", "MongoDB", "rollback of w:1 writes after failover",
             "a write acknowledged by the primary alone is rolled back when a secondary that never received it "
             "is elected", ("ack-before-sync",), "ack-before-sync"),
    Incident("mongodb-read-rolled-back", "MongoDB", "readConcern local reads of data later rolled back",
             "a read is served data that is not yet majority-committed and is later rolled back",
             ("ship-unacked",), "ship-unacked"),
    Incident("postgres-remote-write", "PostgreSQL", "synchronous_commit = remote_write",
             "the synchronous standby confirms on writing to the OS, before fsync; a power loss on it and the "
             "loss of the primary lose a committed transaction", ("ack-unflushed-pp",), "ack-unflushed-pp"),
    Incident("postgres-fsyncgate", "PostgreSQL", "fsyncgate (2018, fsync error handling)",
             "an fsync error drops dirty pages and a retried fsync reports success: data counted as durable "
             "is not on disk", (), None,
             "a flush that reports success and loses the data (the model's flush happens or does not)"),
    Incident("postgres-cancelled-sync-wait", "PostgreSQL", "Synchronous Replication: a cancelled wait commits "
             "locally", "a client cancels its wait for the standby's confirmation; the transaction is already "
             "committed locally and a retry is answered from the primary's own log", ("ack-retry-from-local-log",),
             "ack-retry-from-local-log"),
    Incident("mysql-semisync-phantom", "MySQL", "semi-sync AFTER_COMMIT phantom reads (lossless AFTER_SYNC, 5.7)",
             "a primary makes a transaction its replica never confirmed visible after crash recovery; the replica "
             "is promoted without it", ("restart-exposes-unconfirmed",), "restart-exposes-unconfirmed"),
    Incident("patroni-async-promotion", "PostgreSQL/Patroni", "synchronous_mode (promote only the synchronous "
             "standby)", "a standby that has not caught up with the primary is promoted; committed transactions "
             "are lost", ("promote-unsynced-pp",), "promote-unsynced-pp"),
    Incident("github-2018", "MySQL/orchestrator", "GitHub October 21 2018 incident analysis",
             "a 43-second cross-coast partition: the failover tool promoted a replica in the other region that "
             "lacked writes the old primary had acknowledged", ("promote-any-secondary",), "promote-any-secondary"),
    Incident("mysql-errant-gtid", "MySQL", "errant GTID transactions after failover",
             "an old primary rejoins keeping transactions the new primary never had; they are replicated and "
             "read", ("keep-divergent-suffix",), "keep-divergent-suffix/no-read-of-lost-write"),
    Incident("elasticsearch-split-brain", "Elasticsearch", "Jepsen: Elasticsearch (2014), minimum_master_nodes",
             "a deposed primary keeps replicating and acknowledging after a new one was elected; acknowledged "
             "writes are lost", ("no-fencing",), "no-fencing"),
    Incident("ovh-sbg2-fire", "OVHcloud", "Strasbourg SBG2 fire (2021)",
             "copies (and backups) counted as independent lived in one site; the site's loss lost them all",
             ("pp-same-region",), "pp-same-region"),
    Incident("cassandra-zombies", "Cassandra", "gc_grace_seconds (zombie data)",
             "a node down longer than the tombstone grace period rejoins and replicates deleted data back",
             ("rejoin-after-tombstone-lifetime",), "rejoin-after-tombstone-lifetime"),
    Incident("ad-lingering-objects", "Active Directory", "lingering objects (tombstone lifetime)",
             "a domain controller offline beyond the tombstone lifetime replicates back objects deleted meanwhile",
             ("rejoin-after-tombstone-lifetime",), "rejoin-after-tombstone-lifetime"),
    Incident("ad-usn-rollback", "Active Directory", "USN rollback (restore from a VM snapshot)",
             "a domain controller restored from an old snapshot keeps its identity and reuses update numbers: one "
             "name, two different changes", ("restore-keeps-identity",), "restore-keeps-identity"),
    Incident("ad-reanimation-links", "Active Directory", "tombstone reanimation without the Recycle Bin",
             "a reanimated object comes back without its group memberships", ("restore-drops-links",),
             "restore-drops-links"),
    Incident("ad-reanimation-attributes", "Active Directory", "tombstone reanimation (stripped attributes)",
             "a reanimated object comes back with the attributes its tombstone stripped reset",
             ("restore-defaults",), "restore-defaults"),
    Incident("atlassian-2022", "Atlassian", "April 2022 outage post-incident review",
             "a deletion given ids of the wrong kind, in permanent rather than recoverable mode, deleted live "
             "sites", ("delete-wrong-kind",), "delete-wrong-kind"),
    Incident("unisuper-2024", "Google Cloud", "UniSuper private cloud deletion (2024)",
             "a parameter left blank gave a resource an implicit fixed term; at its end the live resource was "
             "deleted", ("implicit-expiry",), "implicit-expiry"),
    Incident("storm-0558-scope", "Microsoft", "Storm-0558 (2023), CSRB report",
             "a consumer signing key was accepted for enterprise tokens", ("key-scope-unchecked",),
             "key-scope-unchecked"),
    Incident("storm-0558-validity", "Microsoft", "Storm-0558 (2023), CSRB report (a 2016 key)",
             "a signing key past the end of its intended validity still validated tokens",
             ("key-validity-unchecked",), "key-validity-unchecked"),
    Incident("azure-ad-2021-keys", "Azure AD", "March 15 2021 authentication outage",
             "a signing key still in use was removed from the published key set; its tokens failed validation",
             ("retire-live-key",), "retire-live-key"),
    Incident("cosmos-session-token", "Azure Cosmos DB", "session consistency: the session token per client "
             "instance", "a client routed to another instance or region loses its session token and reads older "
             "data than it wrote", ("token-lost-on-move",), "token-lost-on-move"),
    Incident("etcd-snapshot-rollback", "Kubernetes", "restoring etcd from a snapshot",
             "the coordination store goes back to an older record; failover decisions are taken on roles and "
             "in-sync state that are no longer true", ("orchestrator-loses-change",), "orchestrator-loses-change"),
    Incident("gitlab-2017", "GitLab", "January 31 2017 database outage",
             "an operator deleted the primary's data directory instead of the replica's, and the backups had not "
             "been running", (), None, "operators acting on the wrong host, and backups that silently fail"),
)

# `dirproof check --flaw F` (default engines), whole process, from
# bench/incidents.py (docs/incidents.md, Figures: runs, load): flaw ->
# (wall-clock median, CPU median, seconds; the properties it reported violated).
FOUND: dict[str, tuple[float, float, str]] = {  # 3 runs each, 2026-12-07 20:55 UTC, 2 cores, load average 0.7-1.1
    "restart-truncates-to-commit": (7.5, 7.5, "no-acked-write-lost"),
    "restart-truncates-inherited": (8.1, 8.1, "no-acked-write-lost"),
    "promote-any-secondary": (3.2, 3.2, "no-acked-write-lost"),
    "shrink-sync-set": (1.5, 1.5, "no-acked-write-lost"),
    "ack-before-sync": (1.1, 1.1, "no-acked-write-lost"),
    "ship-unacked": (1.1, 1.1, "no-read-of-lost-write"),
    "ack-unflushed-pp": (6.1, 6.0, "no-acked-write-lost"),
    "ack-retry-from-local-log": (1.4, 1.4, "no-acked-write-lost"),
    "restart-exposes-unconfirmed": (2.6, 2.6, "no-read-of-lost-write"),
    "promote-unsynced-pp": (9.2, 9.1, "no-acked-write-lost"),
    "keep-divergent-suffix": (7.2, 7.2, "one-history"),
    "no-fencing": (4.8, 4.8, "no-acked-write-lost"),
    "pp-same-region": (2.6, 2.6, "no-acked-write-lost"),
    "rejoin-after-tombstone-lifetime": (2.6, 2.6, "no-resurrection"),  # rerun at 21:56 UTC (lifetime ticks)
    "restore-keeps-identity": (2.3, 2.3, "no-acked-write-lost"),
    "restore-drops-links": (2.7, 2.7, "restore-restores-links"),
    "restore-defaults": (1.0, 1.0, "soft-delete-restorable"),
    "delete-wrong-kind": (0.9, 0.9, "no-delete-without-retention"),
    "implicit-expiry": (0.9, 0.9, "no-delete-without-retention"),
    "key-scope-unchecked": (0.9, 0.9, "no-out-of-scope-key-accepted"),
    "key-validity-unchecked": (1.0, 1.0, "no-expired-key-accepted"),
    "retire-live-key": (0.8, 0.8, "live-tokens-verifiable"),
    "token-lost-on-move": (2.7, 2.7, "read-your-writes"),
    "orchestrator-loses-change": (8.0, 8.0, "no-acked-write-lost"),
}


def expressible() -> list[Incident]:
    return [i for i in INCIDENTS if i.flaws]


def _cell(i: Incident) -> tuple[str, str, str, str]:
    if not i.flaws:
        return f"not expressible: needs {i.missing}", "·", "·", "·"
    variant = ", ".join(f"`--flaw {f}`" for f in i.flaws) + f"; scenario `{i.scenario}`"
    found = [FOUND.get(f) for f in i.flaws]
    when = "; ".join("not measured" if x is None else
                     f"{x[0]:.0f} s ({x[1]:.0f} s CPU){'' if x[0] < 60 else ', over a minute'}: {x[2]}"
                     for x in found)
    return variant, "yes", "yes", when


def table() -> str:
    """The table of docs/incidents.md (the test checks it is this)."""
    out = ["| # | system | reference | mechanism | design variant and scenario | reproduced on the flawed "
           "design | refused by the safe design | `dirproof check --flaw F` finds it in |",
           "|---|---|---|---|---|---|---|---|"]
    for n, i in enumerate(INCIDENTS, 1):
        variant, rep, ref, when = _cell(i)
        out.append(f"| {n} | {i.system} | {i.reference} | {i.mechanism} | {variant} | {rep} | {ref} | {when} |")
    return "\n".join(out) + "\n"
