"""Issue 13 items 4-5: the synchronous set, the orchestrator's record, and a
replica restored from an old image of itself (model/sync_set.py,
model/images.py). The flaws' scenarios, Z3 lengths and corpus are with the
others (tests/scenarios.py); here: the safe design's refusals, the knob, and
that the parametric verdict cannot be claimed for a flaw whose steps the
form lacks."""

import pytest

from dirproof.config_file import ConfigFileError, load_config
from dirproof.model import (AcknowledgeAlone, ConfigError, LoseOrchestratorChange, Partition, ReplacePassive,
                            RestoreImage, ShrinkSyncSet, TakeImage, make_config)
from dirproof.parametric import refine
from dirproof.parametric.engine import run as parametric_run
from dirproof.parametric.protocol import OUTSIDE_THE_FORM
from dirproof.engines import EngineRequest
from scenarios import A1, B1, B2, SYNC, Create, go, refused, start, w


def test_the_safe_design_keeps_ap_and_pp_as_the_smallest_acknowledging_set():
    s = go(start(), Partition(A1, B1), w(Create(0)))
    refused(s, ShrinkSyncSet(), "smallest acknowledging set", "{AP, PP in another region}")
    refused(s, AcknowledgeAlone(), "acknowledgement waits for the PP")
    # the flaw drops the unreachable PP, not a PP within the lag limit
    s = go(start("shrink-sync-set", pp_lag_limit=2), w(Create(0)))
    refused(s, ShrinkSyncSet(), "fewer than 2 entries behind")
    s = go(s, w(Create(1)), ShrinkSyncSet(), AcknowledgeAlone())
    assert s.replicas[A1].commit == 2 and s.replicas[B1].log == ()


def test_the_orchestrator_s_store_never_loses_a_committed_change_in_the_safe_design():
    s = go(start(), Partition(A1, B1), ReplacePassive(B2))
    refused(s, LoseOrchestratorChange(), "linearisable")
    s = go(start("orchestrator-loses-change"), Partition(A1, B1), ReplacePassive(B2), LoseOrchestratorChange())
    assert s.orchestrator.roles == ((A1, B1),) and s.orchestrator.lost_change
    refused(s, LoseOrchestratorChange(), "older committed")


def test_a_restored_replica_comes_back_empty_in_the_safe_design_and_as_its_image_under_the_flaw():
    steps = [w(Create(0)), *SYNC, TakeImage(A1), w(Create(1)), *SYNC, RestoreImage(A1)]
    safe = go(start(), *steps)
    assert (safe.replicas[A1].epoch, safe.replicas[A1].log, safe.budget.pending) == (0, (), True)
    flawed = go(start("restore-keeps-identity"), *steps)
    rep = flawed.replicas[A1]
    assert (rep.up, rep.epoch, len(rep.log), rep.commit) == (False, 1, 1, 1) and flawed.budget.pending
    refused(go(flawed), TakeImage(A1), "down")


@pytest.mark.parametrize("value", [0, 9, -1])
def test_the_lag_limit_knob_is_refused_out_of_range(value, tmp_path):
    with pytest.raises(ConfigError, match="pp_lag_limit"):
        make_config("entra", pp_lag_limit=value)
    f = tmp_path / "lag.toml"
    f.write_text(f"[parameters]\npp_lag_limit = {value}\n")
    with pytest.raises(ConfigFileError, match="pp_lag_limit"):
        load_config(f)


def test_the_lag_limit_knob_is_read_from_toml(tmp_path):
    f = tmp_path / "lag.toml"
    f.write_text('flaws = ["shrink-sync-set"]\n[parameters]\npp_lag_limit = 3\n')
    assert load_config(f).pp_lag_limit == 3 and make_config("entra").pp_lag_limit == 1


@pytest.mark.parametrize("flaw", sorted(OUTSIDE_THE_FORM))
def test_a_flaw_outside_the_parametric_form_gets_no_any_size_claim(flaw, tmp_path):
    """The form has no transition for these steps (they are refused in the
    safe design, and the safe restore is a disk loss); with the flaw, the
    steered walk's step the flaw changes is no transition of the form
    (so model_refines keeps the verdict fixed-scope), and the parametric
    engine claims nothing. (The safe design's steered walk refines the form:
    tests/test_proofs.py proves it for any size, model_refines included.)"""
    from dirproof.model import initial_state, step_name
    # (dropping the PP only changes the set, outside the form's vocabulary: the
    # acknowledgement alone is where the model leaves the form)
    first = {"shrink-sync-set": "acknowledge_alone", "orchestrator-loses-change": "lose_orchestrator_change",
             "restore-keeps-identity": "restore_image"}[flaw]
    cfg = make_config("entra", flaws=[flaw])
    walk = refine.walk(initial_state(cfg), refine._steered_issue13())
    pre, a, post = next((p, a, q) for p, a, q in walk if step_name(a) == first)
    assert "is not a transition" in (refine.check_step(pre, step_name(a), post) or "")
    assert parametric_run(EngineRequest(cfg, ("no-acked-write-lost",), out_dir=tmp_path)) == []
