"""Durability on disk, restart and retries (design.md §6; issue 13 items 1-3):
the steps of model/durable.py and faults.recover, the two knobs, and the
safeguards each flaw turns off, shown failing without them."""

import pytest
from typer.testing import CliRunner

from dirproof.cli import app
from dirproof.config_file import ConfigFileError, load_config
from dirproof.model import (Acknowledge, Crash, CrashUnclean, Create, EmergencyFailover, Flush, Read, Recover,
                            ReplicateToPassive, ReplicateToSecondary, RetryWrite, Update)
from dirproof.properties import PROPERTIES
from scenarios import A1, A2, B1, SCENARIOS, SYNC, go, refused, start, w


def test_the_ap_ships_and_the_pp_confirms_only_what_is_flushed():
    s = go(start(), w(Create(0)))
    assert (s.replicas[A1].flushed, len(s.replicas[A1].log)) == (0, 1)  # in memory only
    s = go(s, ReplicateToPassive(A1))
    assert s.replicas[A1].flushed == 1 and s.replicas[B1].flushed == 1
    s = go(s, Acknowledge(A1), CrashUnclean(B1))
    assert len(s.replicas[B1].log) == 1 and s.orchestrator.pp_in_sync  # nothing was lost


def test_an_unclean_crash_loses_the_unflushed_suffix_and_keeps_the_epoch():
    s = go(start(), w(Create(0)), *SYNC, ReplicateToSecondary(A2))
    assert s.replicas[A2].flushed == 0 and s.replicas[A2].commit == 1
    s = go(s, CrashUnclean(A2))
    assert (s.replicas[A2].log, s.replicas[A2].commit, s.replicas[A2].epoch) == ((), 0, 1)
    clean = go(start(), w(Create(0)), *SYNC, ReplicateToSecondary(A2), Crash(A2), Recover(A2))
    assert len(clean.replicas[A2].log) == 1 and clean.replicas[A2].flushed == 1  # a clean crash flushes


def test_flush_writes_the_log_out_and_refuses_when_there_is_nothing():
    s = go(start(), w(Create(0)))
    refused(go(s, Flush(A1)), Flush(A1), "nothing to flush")
    refused(go(s, Crash(A1)), Flush(A1), "down")
    assert go(s, Flush(A1), CrashUnclean(A1)).replicas[A1].log == s.replicas[A1].log


def test_a_pp_that_lost_entries_is_out_of_sync_and_not_promoted():
    s = go(start(ack_waits_for="memory"), w(Create(0)), *SYNC, CrashUnclean(B1))
    assert not s.orchestrator.pp_in_sync and s.replicas[B1].log == ()
    refused(go(s, Recover(B1), Crash(A1)), EmergencyFailover(B1, A2), "has not caught up")


def test_the_memory_knob_is_the_flaw_by_another_name():
    """ack_waits_for = "memory" loses the acknowledged write as ack-unflushed-pp does."""
    prop, steps, _ = SCENARIOS["ack-unflushed-pp"]
    for s in (go(start(ack_waits_for="memory"), *steps), go(start("ack-unflushed-pp"), *steps)):
        assert "held by no replica" in PROPERTIES[prop].check(s)
    assert PROPERTIES[prop].check(go(start(), *steps)) is None


def test_a_restart_keeps_a_committed_entry_past_the_replicas_stale_commit_point():
    s = go(start(), w(Create(0)), *SYNC, Crash(B1), Recover(B1))
    assert s.replicas[B1].commit == 0 and len(s.replicas[B1].log) == 1
    flawed = go(start("restart-truncates-to-commit"), w(Create(0)), *SYNC, Crash(B1), Recover(B1))
    assert flawed.replicas[B1].log == ()
    assert "missing from the log of B1" in PROPERTIES["no-acked-write-lost"].check(
        go(flawed, Crash(A1), EmergencyFailover(B1, A2)))


def test_a_restarted_ap_keeps_its_unconfirmed_suffix_pending_and_invisible():
    s = go(start(), w(Create(0)), Crash(A1), Recover(A1))
    assert (len(s.replicas[A1].log), s.replicas[A1].commit) == (1, 0)
    refused(s, ReplicateToSecondary(A2), "up to date")
    assert go(s, *SYNC).replicas[A1].commit == 1  # the PP's confirmation commits it
    flawed = go(start("restart-exposes-unconfirmed"), w(Create(0)), Crash(A1), Recover(A1),
                ReplicateToSecondary(A2), Read(0))
    assert "returned entry (1,1) Create, which was never acknowledged" in \
        PROPERTIES["no-read-of-lost-write"].check(flawed)


def test_the_truncate_knob_drops_the_unconfirmed_suffix_of_a_restarted_ap_only():
    s = go(start(restart_unconfirmed="truncate"), w(Create(0)), *SYNC, w(Update(0, 0, 1)), Crash(A1), Recover(A1))
    assert len(s.replicas[A1].log) == 1 and s.replicas[A1].flushed <= 1
    sec = go(start(restart_unconfirmed="truncate"), w(Create(0)), *SYNC, Crash(B1), Recover(B1))
    assert len(sec.replicas[B1].log) == 1  # the PP keeps what its stale commit point does not cover


def test_the_truncate_knob_keeps_what_a_promoted_ap_inherited():
    """B1, promoted with the stale commit point 0 it learnt as PP, restarts:
    it keeps the acknowledged (1, 1) of the older epoch and drops only its
    own epoch's unconfirmed entry; flaw restart-truncates-inherited drops both."""
    steps = [w(Create(0)), *SYNC, Crash(A1), EmergencyFailover(B1, A2), w(Create(1), at=B1), Crash(B1), Recover(B1)]
    s = go(start(restart_unconfirmed="truncate"), *steps)
    assert [e.epoch for e in s.replicas[B1].log] == [1] and not PROPERTIES["no-acked-write-lost"].check(s)
    flawed = go(start("restart-truncates-inherited"), *steps)
    assert flawed.replicas[B1].log == () and PROPERTIES["no-acked-write-lost"].check(flawed)


def test_a_retry_is_answered_only_by_the_pps_confirmation():
    s = go(start(), w(Create(0)))
    refused(s, RetryWrite(A1, 0), "waits at A1 for the PP's confirmation")
    refused(s, RetryWrite(A1, 1), "no write of session 1 is waiting")
    refused(s, RetryWrite(A2, 0), "not the acting AP")
    flawed = go(start("ack-retry-from-local-log"), w(Create(0)), RetryWrite(A1, 0))
    assert flawed.sessions[0].token.lsn == 1 and flawed.replicas[A1].commit == 0
    assert "held only in region(s) A when acknowledged" in PROPERTIES["no-acked-write-lost"].check(flawed)


def test_the_knobs_are_read_from_toml_and_bad_values_refused(tmp_path):
    good = tmp_path / "kafka.toml"
    good.write_text('[parameters]\nack_waits_for = "memory"\nrestart_unconfirmed = "truncate"\n')
    cfg = load_config(good)
    assert (cfg.ack_waits_for, cfg.restart_unconfirmed, cfg.acks_on_memory) == ("memory", "truncate", True)
    bad = tmp_path / "bad.toml"
    bad.write_text('[parameters]\nack_waits_for = "disk"\n')
    with pytest.raises(ConfigFileError, match="ack_waits_for must be one of 'flushed', 'memory', not 'disk'"):
        load_config(bad)
    res = CliRunner().invoke(app, ["check", "--config", str(bad)])
    assert res.exit_code == 2 and res.stderr.startswith("dirproof: error:") and res.stderr.count("\n") == 1


# Finding (docs/model.md, restart_unconfirmed): under "truncate" a restarted AP
# reuses the (epoch, LSN) names of the entries it dropped, which its PP may
# still hold: two logs then hold one entry with different entries below it.
TRUNCATE_REUSES_NAMES = [w(Create(0)), w(Create(1)), ReplicateToPassive(A1), Crash(A1), Recover(A1),
                         w(Create(0), session=1), w(Create(1))]


def test_under_truncate_a_restarted_ap_reuses_names_its_pp_still_holds():
    from dirproof.model.algebra import holds
    from dirproof.properties.invariants import INVARIANTS
    from dirproof.properties.monitors import watch
    s = go(start(restart_unconfirmed="truncate"), *TRUNCATE_REUSES_NAMES)
    assert s.replicas[A1].log[1] == s.replicas[B1].log[1] and s.replicas[A1].log[0] != s.replicas[B1].log[0]
    g = watch(s)
    broken = {k for k, inv in INVARIANTS.items() if not holds(inv.verdict(s, g))}
    assert {"log-matching", "ap-holds-its-epoch", "current-prefix", "in-sync"} <= broken
    assert not [p for p in PROPERTIES.values() if p.layer == "replication" and p.check(s)]


def test_the_truncate_variants_fixed_scope_proof_fails_at_recover_only():
    """The fixed-scope proof of the safe invariant under "truncate", over
    `recover` (the step the knob changes): not inductive. (Every other step
    preserves it: `dirproof prove --config` a TOML with the knob, 644
    obligations, 10 failing, all at recover; docs/model.md.)"""
    from dirproof.proofs.forms import REPLICATION
    from dirproof.proofs.induction import PROOF_SCOPE, induction
    from dirproof.properties.invariants import INVARIANTS
    from dirproof.model import make_config
    rep = induction(make_config("entra", restart_unconfirmed="truncate"), PROOF_SCOPE,
                    list(INVARIANTS) + list(REPLICATION), steps=["recover"])
    assert not rep.ok and {"ap-holds-its-epoch", "current-prefix", "in-sync"} <= {o.invariant for o in rep.failures()}
