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
    area: str  # "replication", "sessions", "objects", "availability" or "identity"


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
    )
}

KINDS = ("user", "group", "policy")


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
    return cfg


def _positive(cfg: Config) -> None:
    for field, low in (("sessions", 0), ("objects", 0), ("attributes", 1), ("values", 2),
                       ("retention_days", 1), ("snapshot_every_days", 1), ("snapshots_kept", 1),
                       ("revocation_lag_minutes", 1)):
        if getattr(cfg, field) < low:
            raise ConfigError(f"{field} must be at least {low}, not {getattr(cfg, field)}")
