"""Which (retention, snapshot period, snapshots kept) settings the object
properties were checked for, and whether each lets a kept snapshot hold a
purged object live (issue 14 item 7; docs/model.md, "Backups deep enough
to matter"). For the review: per setting, Z3's object-layer proof of
no-resurrection on the safe design and Z3's object search for
recovery-resurrects (both over one history, docs/z3.md)."""

from __future__ import annotations

import attrs

from dirproof.model import Config
from dirproof.model.backups import oldest_kept_age, purged_live_in_kept_snapshot

DEEP_RETENTION = 2  # with entra's 5 daily snapshots: tests/scenarios.py EXTRA_SCENARIOS
SEARCH_DEPTH = 6


@attrs.frozen
class DepthRow:
    retention: int
    every: int
    kept: int
    oldest: int
    purged_live: bool
    safe_proved: bool
    flaw_found: int  # object steps of recovery-resurrects' shortest path (0: none to SEARCH_DEPTH)


def settings(config: Config) -> list[Config]:
    """The review's configuration, and the deep-backup setting if it differs."""
    deep = attrs.evolve(config, retention_days=DEEP_RETENTION)
    return [config] if deep == config else [config, deep]


def rows(config: Config) -> list[DepthRow]:
    from dirproof.proofs.objects_proof import bmc_objects, prove_objects
    out = []
    for cfg in settings(attrs.evolve(config, flaws=())):
        proved = prove_objects(cfg).proved("no-resurrection")
        found = bmc_objects(attrs.evolve(cfg, flaws=("recovery-resurrects",)), "no-resurrection", SEARCH_DEPTH)
        out.append(DepthRow(cfg.retention_days, cfg.snapshot_every_days, cfg.snapshots_kept, oldest_kept_age(cfg),
                            purged_live_in_kept_snapshot(cfg), proved, found.depth if found.found else 0))
    return out


def render(rows: list[DepthRow]) -> str:
    lines = ["## Backup depth: the retention and snapshot settings checked", "",
             "The object properties were checked for these (retention, snapshot period, snapshots kept) "
             "settings (Z3 over the object layer of one history). A purged object can be live in a kept "
             "snapshot only when the oldest kept snapshot is at least the retention old; only then can "
             "recovery-from-backup flaws about purged objects show themselves through a live copy "
             "(docs/model.md, \"Backups deep enough to matter\").", "",
             "| retention (days) | snapshot every (days) | kept | oldest kept (days) | purged object live in a "
             "kept snapshot | safe design: `no-resurrection` | `recovery-resurrects`: Z3 object search |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        flaw = f"**violated** ({r.flaw_found} object steps)" if r.flaw_found else f"none to {SEARCH_DEPTH} steps"
        lines.append(f"| {r.retention} | {r.every} | {r.kept} | {r.oldest} | {'yes' if r.purged_live else 'no'} | "
                     f"{'proved' if r.safe_proved else 'not proved'} | {flaw} |")
    return "\n".join(lines)
