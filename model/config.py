"""The configuration of one partition: topology, scope, retention and flaws.

Every protocol choice of design.md that a review may want to vary is a field
here, and every seeded flaw of design.md §5 is named by its id. A
configuration that cannot describe the design (no second region for the
passive primary, no replicas, an unknown flaw) is refused with a ConfigError
that says what is wrong.
"""

from __future__ import annotations

import attrs


class ConfigError(ValueError):
    """A configuration that cannot describe a partition of the design."""


@attrs.frozen
class Flaw:
    """A seeded flaw: one safeguard of the design turned off (design.md §5)."""

    id: str
    turns_off: str
    caught_by: tuple[str, ...]
    area: str  # "replication", "sessions", "objects", "availability", "lifecycle" (objects across replicas), "identity" or "cells"


FLAWS: dict[str, Flaw] = {
    f.id: f
    for f in (
        Flaw("ack-before-sync", "acknowledge before the PP has the entry",
             ("no-acked-write-lost",), "replication"),
        Flaw("pp-same-region", "the PP may be placed in the AP's region",
             ("no-acked-write-lost",), "replication"),
        Flaw("promote-any-secondary", "emergency failover promotes any up replica, not the PP",
             ("no-acked-write-lost",), "replication"),
        Flaw("promote-unsynced-pp", "emergency failover may promote a PP that has not yet copied the AP's log",
             ("no-acked-write-lost",), "replication"),
        Flaw("no-fencing", "replicas accept replication from a deposed AP's older epoch",
             ("one-history", "no-acked-write-lost"), "replication"),
        Flaw("keep-divergent-suffix", "a rejoining replica keeps entries the new AP lacks",
             ("one-history", "no-read-of-lost-write"), "replication"),
        Flaw("ship-unacked", "secondaries copy and serve entries beyond the commit point",
             ("no-read-of-lost-write",), "replication"),
        Flaw("read-ignores-token", "a lagging secondary serves a read without pulling up to the token",
             ("read-your-writes", "monotonic-reads"), "sessions"),
        Flaw("token-reset-on-failover", "session tokens are renumbered to (new epoch, LSN 0) at a new epoch",
             ("read-your-writes", "monotonic-reads"), "sessions"),
        Flaw("purge-early", "purge takes objects deleted retention - 1 days ago (off by one)",
             ("no-early-purge", "soft-delete-restorable"), "objects"),
        Flaw("delete-without-tombstone", "permanent delete removes the object only on the replica that took it",
             ("no-resurrection",), "objects"),
        Flaw("recovery-resurrects", "backup recovery may bring back a purged or permanently deleted object",
             ("no-resurrection",), "objects"),
        Flaw("restore-defaults", "restore re-creates the object with default attributes",
             ("soft-delete-restorable",), "objects"),
        Flaw("failover-waits-for-old-ap", "emergency failover waits for the old AP to hand over, as a planned one does",
             ("bounded-write-unavailability",), "availability"),
        Flaw("read-waits-for-primary", "every read pulls from the AP, even when the secondary covers the token",
             ("bounded-write-unavailability",), "availability"),
        # §6 durability and restart (issue 13, items 1-3)
        Flaw("ack-unflushed-pp", "the AP acknowledges what its PP holds in memory, before the PP has flushed it",
             ("no-acked-write-lost",), "replication"),
        Flaw("restart-truncates-to-commit", "a restarting replica truncates its log to its own (stale) commit point",
             ("no-acked-write-lost",), "replication"),
        Flaw("restart-exposes-unconfirmed", "a restarted AP treats its whole local log as committed, so entries "
             "its PP never confirmed become visible", ("no-read-of-lost-write",), "replication"),
        Flaw("ack-retry-from-local-log", "a retried write is acknowledged because its entry is already in the "
             "AP's log, without the PP's confirmation", ("no-acked-write-lost",), "replication"),
        # issue 13 items 4-5 (model/sync_set.py, model/images.py)
        Flaw("shrink-sync-set", "the AP drops a lagging or unreachable PP from its synchronous set and "
             "acknowledges alone", ("no-acked-write-lost",), "replication"),
        Flaw("orchestrator-loses-change", "the orchestrator's store loses its latest committed change and "
             "failover runs on the older record", ("no-acked-write-lost",), "replication"),
        Flaw("restore-keeps-identity", "a replica restored from an old image of itself keeps its identity and "
             "the image's epoch and resumes numbering from the image", ("one-history", "no-acked-write-lost"),
             "replication"),
        # issue 14 (sessions that hand tokens on) and issue 15 (the gateway)
        Flaw("hand-off-drops-token", "a session handed another session's replica token keeps its own",
             ("causal-read",), "sessions"),
        Flaw("token-lost-on-move", "a client routed to another datacenter keeps its logical session but "
             "not its token (cached in the datacenter it left)", ("read-your-writes", "monotonic-reads"),
             "sessions"),
        Flaw("gateway-ignores-probes", "the gateway keeps routing a session to a datacenter its probes "
             "found unhealthy", ("reads-survive-datacenter-loss",), "availability"),
        # tombstone lifetime (issue 14 item 5; model/tombstones.py)
        Flaw("rejoin-after-tombstone-lifetime",
             "a replica offline longer than the tombstone lifetime rejoins instead of being rebuilt, and "
             "replicates back the objects whose deletion markers were collected meanwhile",
             ("no-resurrection",), "lifecycle"),
        # issue 14 (4, 6): deletes that bypass soft delete and its retention
        Flaw("delete-live", "a permanent delete is accepted on a live object, not only on a soft-deleted one",
             ("no-delete-without-retention",), "objects"),
        Flaw("delete-wrong-kind", "a bulk permanent delete by typed id does not check the id's kind "
             "(a user id deletes through a delete of groups)", ("no-delete-without-retention",), "objects"),
        Flaw("restore-drops-links", "restore brings an object back without its group memberships",
             ("restore-restores-links",), "objects"),
        Flaw("implicit-expiry", "a kind without an expiry policy gets an implicit one of 0 days that removes "
             "its live objects at once (no soft delete, no retention)", ("no-delete-without-retention",),
             "objects"),
        # the identity layer (design.md §7, model/identity/)
        Flaw("key-scope-unchecked", "validators accept a key of another scope (consumer for enterprise)",
             ("no-out-of-scope-key-accepted",), "identity"),
        Flaw("key-validity-unchecked", "validators accept a key outside its validity window",
             ("no-expired-key-accepted",), "identity"),
        Flaw("retire-live-key", "a key leaves the published set while tokens signed by it are live",
             ("live-tokens-verifiable",), "identity"),
        Flaw("evaluator-ignores-revocation", "the resource accepts a CAE token after it has the revocation",
             ("revocation-bounded",), "identity"),
        Flaw("cae-lifetime-without-enforcement", "every app's token lives 24 h, CAE-aware or not",
             ("revocation-bounded",), "identity"),
        Flaw("backup-serves-any-age", "the backup authenticator serves sessions of any age",
             ("backup-fails-closed",), "identity"),
        Flaw("backup-misses-revocations", "the backup authenticator never receives revocations",
             ("backup-fails-closed",), "identity"),
        Flaw("backup-depends-on-primary", "the backup authenticator asks the primary system before serving",
             ("sessions-survive-outage",), "identity"),
        # the cells layer (design.md §8, model/cells/)
        Flaw("shared-orchestrator", "one orchestrator instance serves every cell, so a fault in one cell "
             "(its orchestrator down, a bad change) reaches the others", ("cell-isolation",), "cells"),
        Flaw("shared-gateway", "one gateway instance serves every cell, so a fault in one cell's gateway "
             "makes the other cells unavailable", ("cell-isolation",), "cells"),
        # issue 14 item 1 (model/sessions.py `foreign_token`): the token is handed on, but not honoured
        Flaw("read-ignores-foreign-token", "a replica behind a session's token pulls up to it only when it "
             "names a write of the session's own; a token handed on by another session is answered "
             "without pulling", ("causal-read",), "sessions"),
        # issue 13 item 3, restart_unconfirmed = "truncate" (model/faults.py keep_on_restart)
        Flaw("restart-truncates-inherited", "a restarted AP drops its whole log past its commit point, the "
             "entries of older epochs it inherited as PP (with a stale commit point) included",
             ("no-acked-write-lost", "one-history"), "replication"),
    )
}

# Where a session's replica token lives (issue 14): carried by the client
# (the design's safe setting: a move keeps the logical session and its token),
# or cached in the affinity datacenter as the seeds' Graph API does (a move
# starts a new logical session with an empty token).
TOKEN_HOMES = ("client", "datacenter")
PROBE_FAILURES = (1, 5)  # the range of Config.probe_failures (detection < 5 min, seeds 000, 002)

KINDS = ("user", "group", "policy")

# issue 14 (6): the Config field that holds each kind's expiry policy (its
# lifetime in days, 0: none); a kind not listed has no policy.
EXPIRY_FIELDS = {"group": "group_expiry_days"}


def expiry_days(cfg: "Config", kind: str) -> int:
    """The lifetime of objects of `kind` under `cfg` (0: they never expire)."""
    field = EXPIRY_FIELDS.get(kind)
    return 0 if field is None else int(getattr(cfg, field))


@attrs.frozen
class Datacenter:
    """One datacenter, holding one replica of the partition (design.md §2)."""

    name: str
    region: int


@attrs.frozen
class Config:
    """Everything fixed for one run: the constants of the state machine."""

    profile: str
    regions: tuple[str, ...]
    datacenters: tuple[Datacenter, ...]
    sessions: int = 2
    objects: int = 2
    attributes: int = 2
    values: int = 2
    retention_days: int = 30
    snapshot_every_days: int = 1
    snapshots_kept: int = 5
    flaws: tuple[str, ...] = ()
    # §6 durability knobs (docs/model.md, Durability and restart); the first
    # value of each is the design's safe setting
    ack_waits_for: str = "flushed"
    restart_unconfirmed: str = "keep"
    # issue 13 item 4: entries the AP's log may run ahead of its PP's before
    # the PP counts as lagging (model/sync_set.py); the safe design only waits
    pp_lag_limit: int = 1
    token_home: str = "client"  # issue 14: TOKEN_HOMES
    probe_failures: int = 2  # issue 15: failed probes before the gateway marks a datacenter unhealthy
    # days a deletion marker (tombstone) is kept before it is collected; a
    # replica out of contact that long is rebuilt (model/tombstones.py)
    tombstone_lifetime_days: int = 180
    # issue 14 (6): the lifetime of a group from its creation (the Entra group
    # expiration policy); 0 (the default): groups never expire. An expired
    # group is soft-deleted by the system, so retention still applies.
    group_expiry_days: int = 0
    # issue 14 (3): group memberships as links between users and groups
    # (model/links.py); 1 (the default): on; 0: off, for smaller searches.
    memberships: int = 1
    revocation_lag_minutes: int = 15  # identity layer: Δ, a revocation's bound (design.md §7)

    @property
    def replicas(self) -> range:
        return range(len(self.datacenters))

    def region_of(self, replica: int) -> int:
        return self.datacenters[replica].region

    def name_of(self, replica: int) -> str:
        return self.datacenters[replica].name

    def has(self, flaw: str) -> bool:
        return flaw in self.flaws

    @property
    def acks_on_memory(self) -> bool:
        """The PP confirms what it holds in memory (knob ack_waits_for =
        "memory", the same unsafe choice as flaw ack-unflushed-pp)."""
        return self.ack_waits_for == "memory" or "ack-unflushed-pp" in self.flaws


def _grid(profile: str, regions: int, per_region: int, **kw) -> Config:
    names = tuple(chr(ord("A") + i) for i in range(regions))
    dcs = tuple(Datacenter(f"{names[r]}{d + 1}", r) for r in range(regions) for d in range(per_region))
    return Config(profile=profile, regions=names, datacenters=dcs, **kw)


PROFILES: dict[str, str] = {
    "entra": "2 regions x 2 datacenters, 2 sessions, 2 objects (the default)",
    "small": "2 regions x 1 datacenter, 1 session, 1 object (for Z3 and exhaustive search)",
    "wide": "3 regions x 3 datacenters, 3 sessions, 3 objects (for scaling measurements)",
}


def profile(name: str) -> Config:
    """The named profile, unvalidated (make_config validates)."""
    if name == "entra":
        return _grid("entra", 2, 2)
    if name == "small":
        return _grid("small", 2, 1, sessions=1, objects=1)
    if name == "wide":
        return _grid("wide", 3, 3, sessions=3, objects=3)
    raise ConfigError(f"unknown profile {name!r}; known profiles: {', '.join(PROFILES)}")


# The fields that name the instance (its topology, its size, the seeded
# flaws), not the protocol. Every other field is a setting of the protocol:
# the design's is its default, so a configuration with one set otherwise is
# a variant of the design even with no seeded flaw (a new field counts as a
# setting unless it is listed here).
INSTANCE_FIELDS = frozenset({"profile", "regions", "datacenters", "flaws", "sessions", "objects", "attributes",
                             "values", "memberships"})
PROTOCOL_SETTINGS = tuple(f.name for f in attrs.fields(Config) if f.name not in INSTANCE_FIELDS)


def settings_changed(cfg: Config) -> dict[str, object]:
    """The protocol settings `cfg` sets otherwise than the design, by name."""
    fields = attrs.fields_dict(Config)
    return {k: getattr(cfg, k) for k in PROTOCOL_SETTINGS if getattr(cfg, k) != fields[k].default}


def make_config(name: str = "entra", flaws=(), **overrides) -> Config:
    """A validated configuration: a profile, its overrides, and flaws by id."""
    base = profile(name)
    unknown = set(overrides) - set(attrs.fields_dict(Config))
    if unknown:
        raise ConfigError(f"unknown configuration field(s): {', '.join(sorted(unknown))}")
    cfg = attrs.evolve(base, flaws=tuple(sorted(set(flaws))), **overrides)
    validate(cfg)
    return cfg


def validate(cfg: Config) -> Config:
    """Refuse a configuration that cannot describe the design, saying why."""
    bad = [f for f in cfg.flaws if f not in FLAWS]
    if bad:
        raise ConfigError(f"unknown flaw id(s): {', '.join(bad)}; known flaws: {', '.join(FLAWS)}")
    if list(cfg.flaws) != sorted(set(cfg.flaws)):
        raise ConfigError("flaws must be listed once each, in sorted order")
    if not cfg.datacenters:
        raise ConfigError("the partition has zero replicas: give at least two datacenters")
    if len(cfg.datacenters) < 2:
        raise ConfigError("the partition needs at least two replicas (an AP and a PP)")
    for dc in cfg.datacenters:
        if not 0 <= dc.region < len(cfg.regions):
            raise ConfigError(f"datacenter {dc.name} names region #{dc.region}, which does not exist")
    if len({dc.name for dc in cfg.datacenters}) != len(cfg.datacenters):
        raise ConfigError("datacenter names must be distinct")
    used = {dc.region for dc in cfg.datacenters}
    if len(used) < 2 and not cfg.has("pp-same-region"):
        raise ConfigError(
            "no second region for the passive primary: the design puts the PP in a different "
            "region from the AP, so give datacenters in at least two regions")
    _positive(cfg)
    _choices(cfg)
    if cfg.memberships not in (0, 1):
        raise ConfigError(f"memberships must be 0 (off) or 1 (on), not {cfg.memberships}")
    return cfg


# The settings of each protocol-choice knob; the first is the design's (§6).
CHOICES: dict[str, tuple[str, ...]] = {
    "ack_waits_for": ("flushed", "memory"),
    "restart_unconfirmed": ("keep", "truncate"),
    "token_home": TOKEN_HOMES,  # issue 14
}


def _choices(cfg: Config) -> None:
    for field, allowed in CHOICES.items():
        if getattr(cfg, field) not in allowed:
            raise ConfigError(f"{field} must be one of {', '.join(allowed)}, not {getattr(cfg, field)!r}")
    _gateway(cfg)


def _gateway(cfg: Config) -> None:
    """The knob of issue 15: probe detection."""
    low, high = PROBE_FAILURES
    if type(cfg.probe_failures) is not int or not low <= cfg.probe_failures <= high:
        raise ConfigError(f"probe_failures must be an integer from {low} to {high}, not {cfg.probe_failures!r}")


def _positive(cfg: Config) -> None:
    for field, low in (("sessions", 0), ("objects", 0), ("attributes", 1), ("values", 2),
                       ("retention_days", 1), ("snapshot_every_days", 1), ("snapshots_kept", 1),
                       ("tombstone_lifetime_days", 1), ("group_expiry_days", 0), ("memberships", 0),
                       ("revocation_lag_minutes", 1)):
        if getattr(cfg, field) < low:
            raise ConfigError(f"{field} must be at least {low}, not {getattr(cfg, field)}")
    if not 1 <= cfg.pp_lag_limit <= PP_LAG_RANGE[1]:
        raise ConfigError(f"pp_lag_limit must be in {PP_LAG_RANGE[0]}..{PP_LAG_RANGE[1]} entries, "
                          f"not {cfg.pp_lag_limit}")


PP_LAG_RANGE = (1, 8)
