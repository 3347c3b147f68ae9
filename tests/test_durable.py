"""Durability on disk, restart and retries (design.md §6; issue 13 items 1-3):
the steps of model/durable.py and faults.recover, the two knobs, and the
safeguards each flaw turns off, shown failing without them."""

import pytest
from typer.testing import CliRunner

from dirproof.cli import app
from dirproof.config_file import ConfigFileError, load_config
from dirproof.model import (Acknowledge, Crash, CrashUnclean, Create, EmergencyFailover, FailedOver, Flush,
                            Partition, Read, Recover, ReplicateToPassive, ReplicateToSecondary, RetryWrite, Update,
                            durable, faults, make_config)
from dirproof.properties import PROPERTIES
from mutants import Mutant, applied
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


# Finding (docs/model.md, restart_unconfirmed): under "truncate" as first
# written, a restarted AP reused the (epoch, LSN) names of the entries it
# dropped, which its PP may still hold: two logs then held one entry with
# different entries below it. Decided since: it starts a new epoch first.
TRUNCATE_REUSES_NAMES = [w(Create(0)), w(Create(1)), ReplicateToPassive(A1), Crash(A1), Recover(A1),
                         w(Create(0), session=1), w(Create(1))]

# The decision removed (a deliberately broken variant): the AP drops its
# unconfirmed entries and takes writes in the same epoch.
NAMES_REUSED = Mutant("a new epoch after a restart that drops entries", faults.drop_unconfirmed,
                      "state = _same_roles_next_epoch(state, replica, pp)", "pass", "", "")


def _names(log):
    return {(e.epoch, e.lsn): e for e in log}


def test_under_truncate_a_restarted_ap_starts_a_new_epoch_and_reuses_no_name():
    from dirproof.model.algebra import holds
    from dirproof.properties.invariants import INVARIANTS
    from dirproof.properties.monitors import watch
    s = go(start(restart_unconfirmed="truncate"), *TRUNCATE_REUSES_NAMES[:5])
    assert s.orchestrator.roles == ((A1, B1), (A1, B1)) and s.history[-1] == FailedOver("restart", 2, A1, B1)
    assert (s.replicas[A1].epoch, s.replicas[A1].log, s.replicas[B1].epoch, s.replicas[B1].log) == (2, (), 2, ())
    s = go(s, *TRUNCATE_REUSES_NAMES[5:])
    held = _names(s.replicas[B1].log)
    assert [(e.epoch, e.lsn) for e in s.replicas[A1].log] == [(2, 1), (2, 2)]
    assert all(held.get(n, e) == e for n, e in _names(s.replicas[A1].log).items())
    g = watch(s)
    assert [k for k, inv in INVARIANTS.items() if not holds(inv.verdict(s, g))] == []
    with applied(NAMES_REUSED):  # without the new epoch: the names are reused
        old = go(start(restart_unconfirmed="truncate"), *TRUNCATE_REUSES_NAMES)
    assert old.replicas[A1].log[1] == old.replicas[B1].log[1] and old.replicas[A1].log[0] != old.replicas[B1].log[0]
    assert not holds(INVARIANTS["log-matching"].verdict(old, watch(old)))


def test_under_truncate_an_ap_that_cannot_start_the_epoch_keeps_its_log():
    """Cut off from its PP, or deposed: no new epoch, nothing dropped (as under "keep")."""
    cut = go(start(restart_unconfirmed="truncate"), w(Create(0)), Crash(A1), Partition(A1, B1), Recover(A1))
    assert (cut.orchestrator.epoch, len(cut.replicas[A1].log)) == (1, 1)
    deposed = go(start(restart_unconfirmed="truncate"), w(Create(0)), Crash(A1), EmergencyFailover(B1, A2),
                 Recover(A1))
    assert (deposed.orchestrator.epoch, deposed.replicas[A1].epoch, len(deposed.replicas[A1].log)) == (2, 1, 1)


def test_the_truncate_variant_is_proved_for_the_fixed_scope_and_not_without_the_new_epoch():
    """The safe invariant with the replication properties under "truncate":
    inductive over every step (logs <= 3, epochs <= 3; `dirproof prove
    --config` a TOML with the knob: 644 obligations; here recover's, the
    only step that reads the knob). Without the new epoch
    (the names reused) it fails at recover, as it did before the decision."""
    from dirproof.proofs.forms import REPLICATION
    from dirproof.proofs.induction import PROOF_SCOPE, induction
    from dirproof.properties.invariants import INVARIANTS
    from dirproof.symbolic.derive import system
    cfg, names = make_config("entra", restart_unconfirmed="truncate"), list(INVARIANTS) + list(REPLICATION)
    # the knob is read by recover alone (model/faults.py): every other step's
    # obligations are those of the safe design's proof (tests/test_proofs.py)
    rep = induction(cfg, PROOF_SCOPE, names, steps=["recover"])
    assert rep.ok and rep.obligations, [o.text() for o in rep.failures()]
    with applied(NAMES_REUSED):
        system.cache_clear()
        try:
            bad = induction(cfg, PROOF_SCOPE, names, steps=["recover"])
        finally:
            system.cache_clear()
    assert not bad.ok and {"ap-holds-its-epoch", "current-prefix", "in-sync"} <= {o.invariant for o in bad.failures()}


def test_the_derived_relation_agrees_with_the_model_under_truncate():
    """On the states where the restart decides (an AP with unconfirmed
    entries, its PP reachable or not, deposed, promoted, at the last epoch
    of the scope): every restart (the step the knob changes), and every
    step from the states a truncating restart makes."""
    from agreement import first_disagreement
    from dirproof.model import Recover as R
    from dirproof.proofs.induction import PROOF_SCOPE, proof_system
    sys = proof_system(make_config("entra", restart_unconfirmed="truncate"), PROOF_SCOPE)
    paths = [TRUNCATE_REUSES_NAMES, [w(Create(0)), Crash(A1), Partition(A1, B1)],
             [w(Create(0)), Crash(A1), EmergencyFailover(B1, A2)],
             [w(Create(0)), ReplicateToPassive(A1), Crash(A1), EmergencyFailover(B1, A2), w(Create(1), at=B1),
              Crash(B1)],
             [w(Create(0)), Crash(A1), Recover(A1), w(Create(1)), Crash(A1), Recover(A1), w(Create(0)), Crash(A1)]]
    states = [go(start(restart_unconfirmed="truncate"), *p[:k]) for p in paths for k in range(len(p) + 1)]
    assert states[-1].orchestrator.epoch == 3 and not states[-1].replicas[A1].up
    assert first_disagreement(sys, states, (R,)) is None
    made = [s for s in states if s.history and s.history[-1] == FailedOver("restart", s.orchestrator.epoch, A1, B1)]
    assert len(made) >= 3 and first_disagreement(sys, made[:3]) is None


# design.md §6's eligibility rule (a PP that lost entries in an unclean crash
# is not promoted) removed: a deliberately weakened variant of crash_unclean.
NO_ELIGIBILITY_RULE = Mutant("eligibility after an unclean crash", durable.crash_unclean,
                             "in_sync = AND(orch.pp_in_sync, NOT(AND(EQ(orch.pp, replica), lost_some)))",
                             "in_sync = orch.pp_in_sync", "", "")


def test_the_eligibility_rule_is_implied_by_the_flushed_acknowledgement():
    """Why no flaw turns the rule off (docs/model.md, Durability): without it
    the safe design is still proved for the fixed scope, because the PP
    confirms only what it has flushed; the acknowledgement on an unflushed
    copy is what breaks the same proof (at acknowledge: the flaw
    ack-unflushed-pp), so the proof can fail here."""
    from dirproof.proofs.forms import REPLICATION
    from dirproof.proofs.induction import PROOF_SCOPE, induction
    from dirproof.properties.invariants import INVARIANTS
    from dirproof.symbolic.derive import system
    names = list(INVARIANTS) + list(REPLICATION)
    with applied(NO_ELIGIBILITY_RULE):
        system.cache_clear()
        try:
            # (only crash_unclean changes: every other step's obligations are the safe design's proof's)
            safe = induction(make_config("entra"), PROOF_SCOPE, names, steps=["crash_unclean"])
            memory = induction(make_config("entra", ack_waits_for="memory"), PROOF_SCOPE, names,
                               steps=["acknowledge"])
        finally:
            system.cache_clear()
    assert safe.ok and safe.obligations, [o.text() for o in safe.failures()]
    assert not memory.ok and "acked-flushed" in {o.invariant for o in memory.failures()}
