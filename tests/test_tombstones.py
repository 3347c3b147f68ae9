"""Tombstone lifetime and long-offline replicas (model/tombstones.py; issue
14 item 5), and backups deeper than retention (model/backups.py; item 7).

The safe design refuses to catch up (or rejoin) a replica out of contact for
the tombstone lifetime and rebuilds it from a full copy; without that guard
(the flaw, or a mutant that deletes the guard from the model's code) the
replica offers back an object whose deletion marker was collected, and
no-resurrection breaks. Backups: with 2 days of retention and 5 daily
snapshots a purged object is live in a kept snapshot, and recovery-resurrects
is caught there by the exploration and by Z3; the safe design holds.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from dirproof.config_file import ConfigFileError, load_config
from dirproof.engines import EngineRequest, run
from dirproof.model import (CollectTombstones, ConfigError, Crash, Create, PermanentDelete, Rebuild, Recover,
                            Reinstate, ReplicateToSecondary, SoftDelete, Tick, initial_state, make_config,
                            replication, tombstones)
from dirproof.model.backups import purged_live_in_kept_snapshot
from dirproof.parametric import refine
from dirproof.properties import check
from mutants import Mutant, applied
from scenarios import A2, EXTRA_SCENARIOS, SCENARIOS, SYNC, go, refused, start, w

FLAW = "rejoin-after-tombstone-lifetime"
STEPS = SCENARIOS[FLAW][1]
BEFORE_CATCH_UP = STEPS[:-1]


def _violations(state):
    return {v.property: v.message for v in check(state)}


def test_the_safe_design_refuses_the_catch_up_and_rebuilds_the_replica():
    s = go(start(), *BEFORE_CATCH_UP)
    assert tombstones.must_rebuild(s, A2) and s.collected == 3
    refused(s, ReplicateToSecondary(A2), "A2 was last in contact on day 0", "must be rebuilt")
    s = go(s, Rebuild(A2))
    ap = s.replicas[0]
    assert s.replicas[A2].log == ap.log[:ap.commit] and s.contact[A2] == s.day
    assert not tombstones.must_rebuild(s, A2)
    assert not any(isinstance(e.op, Reinstate) for e in ap.log) and _violations(s) == {}


def test_under_the_flaw_the_lingering_object_is_reinstated_everywhere():
    s = go(start(FLAW), *STEPS)
    assert "is live again on A1" in _violations(s)["no-resurrection"]
    s = go(s, *SYNC, ReplicateToSecondary(3))
    assert isinstance(s.replicas[0].log[-1].op, Reinstate)
    assert "no-resurrection" in _violations(s)


def test_removing_the_guard_from_the_model_breaks_no_resurrection():
    """The check can fail: the guard deleted from catch_up's code (no flaw)."""
    mutant = Mutant("freshness guard on catch-up", replication.catch_up,
                    'require_fresh(state, replica, "caught up from the log")', "pass", "no-resurrection", FLAW)
    with applied(mutant):
        s = go(start(), *STEPS)
    assert "no-resurrection" in _violations(s)


def test_a_guarded_replica_is_not_rebuilt_and_a_mutant_that_does_leaves_the_parametric_form():
    walk = refine._steered_rebuild()
    s = go(start(), *walk[:-1])
    refused(s, walk[-1], "B1 holds a guarded copy")  # (model_refines checks this walk on the safe design)
    mutant = Mutant("guarded copy kept on rebuild", tombstones.rebuild, "require(NOT(OR(EQ(replica, guard[0]), "
                    "EQ(replica, guard[1]))),", "require(True,", "no-acked-write-lost", FLAW)
    with applied(mutant):
        problems = refine.check_walk(refine.walk(initial_state(make_config("entra")), walk))
    assert problems and "rebuild" in problems[0] and "is not a transition" in problems[0]


def test_collection_waits_for_the_lifetime_and_for_every_replica_in_contact():
    s = go(start(), w(Create(0)), *SYNC, ReplicateToSecondary(A2), w(SoftDelete(0)), w(PermanentDelete(0)), *SYNC)
    refused(s, CollectTombstones(), "nothing to collect")
    # B2 has never copied anything: in contact until the lifetime has passed
    s1 = go(s, ReplicateToSecondary(A2), Tick(179))
    refused(s1, CollectTombstones(), "nothing to collect")
    s2 = go(s1, Tick(1))
    assert [tombstones.must_rebuild(s2, r) for r in range(4)] == [False, False, False, True]
    assert go(s2, CollectTombstones()).collected == 3
    assert not tombstones.must_rebuild(go(s2, Rebuild(3)), 3)


def test_the_lifetime_is_a_knob_refused_out_of_range(tmp_path):
    assert make_config("entra").tombstone_lifetime_days == 180
    with pytest.raises(ConfigError, match="tombstone_lifetime_days must be at least 1"):
        make_config("entra", tombstone_lifetime_days=0)
    f = tmp_path / "c.toml"
    f.write_text("[parameters]\ntombstone_lifetime_days = 10\n")
    assert load_config(f).tombstone_lifetime_days == 10
    f.write_text("[parameters]\ntombstone_lifetime_days = 4000\n")
    with pytest.raises((ConfigFileError, ConfigError), match="not in the range 1..3650"):
        load_config(f)
    s = go(start(tombstone_lifetime_days=10), w(Create(0)), *SYNC, Crash(A2), Tick(10), Recover(A2))
    refused(s, ReplicateToSecondary(A2), "tombstone lifetime is 10 days")


# --------------------------------------------------------------------------- backups deeper than retention

DEEP = {"retention_days": 2}


def test_which_retention_and_snapshot_pairs_keep_a_purged_object_live():
    assert not purged_live_in_kept_snapshot(make_config("entra"))  # 30 days, 5 daily snapshots
    assert purged_live_in_kept_snapshot(make_config("entra", **DEEP))
    assert not purged_live_in_kept_snapshot(make_config("entra", retention_days=2, snapshots_kept=2))
    assert purged_live_in_kept_snapshot(make_config("entra", retention_days=30, snapshot_every_days=7,
                                                    snapshots_kept=6))


def test_a_purged_object_is_recovered_from_a_kept_snapshot_only_under_the_flaw():
    flaw, prop, steps, over = EXTRA_SCENARIOS["recovery-resurrects/purged-in-kept-snapshot"]
    assert over == DEEP
    s = go(start(**over), *steps[:-1])
    refused(s, steps[-1], "permanently deleted or purged")
    assert "no-resurrection" in _violations(go(start(flaw, **over), *steps))


def test_the_exploration_catches_the_flaw_on_deep_backups():
    """(The safe design on deep backups: Z3 proves no-resurrection, below.)"""
    req = EngineRequest(make_config("entra", flaws=["recovery-resurrects"], **DEEP), ("no-resurrection",),
                        seconds=60.0, seed=1, out_dir=Path(tempfile.mkdtemp()))
    [res] = run("hypothesis", req)
    assert res.status == "violated"


def test_z3_on_deep_backups_finds_the_flaw_and_proves_the_safe_design():
    from dirproof.proofs.objects_proof import bmc_objects, prove_objects
    found = bmc_objects(make_config("entra", flaws=["recovery-resurrects"], **DEEP), "no-resurrection", 6)
    assert found.found and found.depth == 5
    assert prove_objects(make_config("entra", **DEEP)).proved("no-resurrection")


def test_the_review_lists_the_backup_settings_checked():
    from dirproof import backup_depth
    cfgs = backup_depth.settings(make_config("entra"))
    assert [(c.retention_days, c.snapshots_kept) for c in cfgs] == [(30, 5), (2, 5)]
    assert backup_depth.settings(make_config("entra", retention_days=2)) == [make_config("entra", retention_days=2)]
    rows = [backup_depth.DepthRow(30, 1, 5, 4, False, True, 5), backup_depth.DepthRow(2, 1, 5, 4, True, False, 0)]
    text = backup_depth.render(rows)
    assert "| 30 | 1 | 5 | 4 | no | proved | **violated** (5 object steps) |" in text
    assert "| 2 | 1 | 5 | 4 | yes | not proved | none to 6 steps |" in text


def test_the_object_proof_claims_nothing_under_the_flaw(tmp_path):
    """The object layer of one history does not model a returning replica's
    writes: under the flaw no-resurrection is not 'proved' by composition
    (the safe design's is, with the same replication assumptions)."""
    from types import SimpleNamespace

    from dirproof.proofs.objects import run_objects

    class Proved:
        def proved(self, p):
            return True

    def req(flaws):
        return SimpleNamespace(config=make_config("entra", flaws=flaws), depth=3, seconds=20.0, progress=None,
                               over_budget=False, out_dir=tmp_path, scope=None)
    [safe] = run_objects(req([]), ["no-resurrection"], Proved())
    [flawed] = run_objects(req([FLAW]), ["no-resurrection"], Proved())
    assert safe.status == "proved" and flawed.status == "held"
    assert "flaw rejoin-after-tombstone-lifetime writes entries the object layer does not model" in flawed.detail
    assert "a secondary that catches up, is rebuilt, and the AP's tombstone collection" in flawed.detail
