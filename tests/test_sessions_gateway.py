"""Issue 14 (sessions that hand tokens on; where the token lives) and issue
15 (the gateway's health probes): the steps, the knobs, the properties and
their flaws (model/sessions.py, model/gateway.py, properties/monitors.py
`_causal`, properties/gateway.py).

Replicas of `entra`: 0=A1 (AP), 1=A2, 2=B1 (PP), 3=B2; session 0 reads at
A2, session 1 at B2.
"""

from __future__ import annotations

import pytest

from dirproof.model import (ConfigError, Crash, Create, HandToken, MoveSession, Probe, Read, Recover,
                            ReplicateToSecondary, Reroute, Token, make_config, route_target)
from dirproof.model.algebra import holds
from dirproof.properties import PROPERTIES
from dirproof.properties.catalogue import check
from dirproof.properties.monitors import watch
from dirproof.proofs.bmc import bmc, replay_path
from scenarios import A1, A2, B1, B2, SYNC, go, refused, start, w


def names(state) -> set[str]:
    return {v.property for v in check(state)}


# ---------------------------------------------------------------- hand_token and causal-read

def test_a_hand_off_carries_the_later_token_and_the_read_pulls_up_to_it():
    s = go(start(), w(Create(0)), *SYNC, HandToken(0, 1))
    assert s.sessions[1].token == s.sessions[0].token == Token(1, 1)
    s = go(s, Read(1))
    assert [e.lsn for e in s.history[-1].seen] == [1] and names(s) == set()


def test_a_hand_off_never_lowers_the_receiver_s_token():
    s = go(start(), w(Create(0), session=1), *SYNC)
    assert s.sessions[1].token == Token(1, 1) and s.sessions[0].token == Token()
    refused(s, HandToken(0, 1), "not ahead", "nothing to hand on")


def test_hand_token_refusals():
    s = start()
    refused(s, HandToken(0, 0), "itself")
    refused(s, HandToken(0, 5), "no session")


def test_hand_off_drops_token_breaks_causal_read_and_names_the_other_session_s_write():
    s = go(start("hand-off-drops-token"), w(Create(0)), *SYNC, HandToken(0, 1), Read(1))
    [v] = check(s)
    assert v.property == "causal-read" and "of session 0 that a token handed to it covered" in v.message
    # read-your-writes cannot see it: session 1 wrote nothing
    assert PROPERTIES["read-your-writes"].check(s) is None


FOREIGN = "read-ignores-foreign-token"


def test_read_ignores_foreign_token_carries_the_handed_token_but_does_not_pull_up_to_it():
    s = go(start(FOREIGN), w(Create(0)), *SYNC, HandToken(0, 1))
    assert s.sessions[1].token == Token(1, 1)  # handed on (unlike hand-off-drops-token) ...
    s = go(s, Read(1))  # ... but B2 sees it names session 0's write, and does not pull
    [v] = check(s)
    assert v.property == "causal-read" and "of session 0 that a token handed to it covered" in v.message
    assert s.history[-1].seen == () and s.sessions[1].token == Token(1, 1)
    # a token naming the session's own write is still pulled up to
    s = go(start(FOREIGN), w(Create(0), session=1), *SYNC, Read(1))
    assert [e.lsn for e in s.history[-1].seen] == [1] and names(s) == set()


def test_read_ignores_foreign_token_also_breaks_ryw_once_a_read_raised_the_token():
    """docs/model.md: a token a read raised past the session's own writes
    names another session's write too (found while adding the flaw)."""
    from dirproof.model import LoseDisk
    steps = [w(Create(0), session=1), *SYNC, w(Create(1)), *SYNC, ReplicateToSecondary(B2), Read(1), LoseDisk(B2),
             Recover(B2), Read(1)]
    assert names(go(start(FOREIGN), *steps)) == {"read-your-writes", "monotonic-reads"}
    refused(go(start(), *steps[:-1]), steps[-1], "must rejoin first")


def test_a_token_handed_in_an_earlier_logical_session_binds_no_later_read():
    # token cached per datacenter: session 1 moves, starts a new logical
    # session, and the hand-off no longer covers its reads (nor should it)
    s = go(start(token_home="datacenter"), w(Create(0)), *SYNC, HandToken(0, 1), MoveSession(1, B1))
    assert s.sessions[1].token == Token() and s.sessions[1].logical == 1
    g = watch(s)
    assert g.handed[1].logical == 0 and g.handed[1].lsn == 1
    assert names(go(s, Read(1))) == set()


# ---------------------------------------------------------------- where the token lives

def test_token_home_knob_validates():
    assert make_config("entra").token_home == "client"
    with pytest.raises(ConfigError, match="token_home must be one of client, datacenter"):
        make_config("entra", token_home="browser")


def test_a_datacenter_cached_token_is_a_new_logical_session_and_keeps_the_guarantees():
    s = go(start(token_home="datacenter"), w(Create(0)), *SYNC, Read(0), MoveSession(0, B2), Read(0))
    assert s.sessions[0].logical == 1 and names(s) == set()


def test_token_lost_on_move_is_caught_over_the_client_s_whole_session():
    s = go(start("token-lost-on-move"), w(Create(0)), *SYNC, Read(0), MoveSession(0, B2), Read(0))
    assert names(s) == {"read-your-writes", "monotonic-reads"}


# ---------------------------------------------------------------- the gateway

def test_probes_mark_a_datacenter_unhealthy_after_the_threshold_and_one_good_probe_restores_it():
    s = go(start(), Crash(A2), Probe(A2))
    assert s.missed[A2] == 1
    refused(s, Reroute(0), "its probes find it healthy")
    s = go(s, Probe(A2))
    assert s.missed[A2] == 2
    refused(s, Probe(A2), "nothing new")
    refused(start(), Probe(A1), "nothing new")
    assert go(s, Recover(A2), Probe(A2)).missed[A2] == 0


def test_the_gateway_reroutes_to_the_first_healthy_replica_that_covers_the_token():
    s = go(start(), w(Create(0)), *SYNC, Read(0), Crash(A2), Probe(A2), Probe(A2))
    assert route_target(s, 0) == A1  # B1, the PP, has not learnt the commit point: it does not cover LSN 1
    s = go(s, Reroute(0))
    assert s.sessions[0].replica == A1 and s.sessions[0].token == Token(1, 1) and s.sessions[0].logical == 0
    assert names(go(s, Read(0))) == set()


def test_probe_failures_knob_sets_the_detection_bound():
    s = go(start(probe_failures=1), Crash(A2), Probe(A2))
    assert s.missed[A2] == 1 and names(s) == set() and route_target(s, 0) != A2
    for bad in (0, 6):
        with pytest.raises(ConfigError, match="probe_failures must be an integer from 1 to 5"):
            make_config("entra", probe_failures=bad)


def test_gateway_ignores_probes_breaks_reads_survive_datacenter_loss_only_after_detection():
    s = go(start("gateway-ignores-probes"), Crash(A2), Probe(A2))
    assert names(s) == set(), "not yet detected: nothing is owed"
    s = go(s, Probe(A2))
    [v] = check(s)
    assert v.property == "reads-survive-datacenter-loss" and "it ignores its probes" in v.message


def test_the_property_reads_the_step_s_guard():
    # the premise holds and the safe gateway's target is up and covers the token
    s = go(start(), Crash(A2), Probe(A2), Probe(A2))
    assert holds(PROPERTIES["reads-survive-datacenter-loss"].verdict(s, watch(s)))


def test_bounded_search_finds_the_gateway_flaw_at_three_steps_and_not_before():
    cfg = make_config("entra", flaws=["gateway-ignores-probes"])
    res = bmc(cfg, "reads-survive-datacenter-loss", 3)
    assert res.found and res.depth == 3
    assert PROPERTIES["reads-survive-datacenter-loss"].check(replay_path(cfg, res.trace.acts)[1][-1])


def test_without_the_gateway_s_routing_the_availability_proof_turns_red_at_the_probe():
    # the safe design's proof holds (tests/test_proofs.py); under the flaw the
    # property is not preserved by the step that completes the detection
    from dirproof.proofs.forms import REPLICATION
    from dirproof.proofs.induction import PROOF_SCOPE, induction
    from dirproof.properties.invariants import INVARIANTS
    rep = induction(make_config("entra", flaws=["gateway-ignores-probes"]), PROOF_SCOPE,
                    list(INVARIANTS) + list(REPLICATION) + ["reads-survive-datacenter-loss"], steps=["probe"])
    assert not rep.ok and {o.step for o in rep.failures()} == {"probe"}
    assert any("reads-survive-datacenter-loss" in o.text() for o in rep.failures())


# ---------------------------------------------------------------- configuration files and JSON

def test_the_knobs_round_trip_in_json_and_are_left_out_at_their_safe_default():
    from dirproof.model import config_from_json, config_to_json
    assert "token_home" not in config_to_json(make_config("entra"))
    cfg = make_config("entra", token_home="datacenter", probe_failures=3)
    data = config_to_json(cfg)
    assert (data["token_home"], data["probe_failures"]) == ("datacenter", 3) and config_from_json(data) == cfg


@pytest.mark.parametrize("text, words", [
    ('[parameters]\ntoken_home = "datacenter"\nprobe_failures = 3\n', None),
    ('[parameters]\ntoken_home = "browser"\n', "token_home must be one of 'client', 'datacenter'"),
    ('[parameters]\ntoken_home = 1\n', "token_home must be one of 'client', 'datacenter'"),
    ('[parameters]\nprobe_failures = 9\n', "probe_failures = 9 is not in the range 1..5"),
])
def test_the_knobs_in_a_toml_file(tmp_path, text, words):
    from dirproof.config_file import ConfigFileError, load_config
    path = tmp_path / "variant.toml"
    path.write_text(text)
    if words is None:
        cfg = load_config(path)
        assert (cfg.token_home, cfg.probe_failures) == ("datacenter", 3)
    else:
        with pytest.raises(ConfigFileError, match=words):
            load_config(path)


def test_a_bad_knob_on_the_command_line_is_one_line_exit_2(tmp_path):
    from typer.testing import CliRunner
    from dirproof.cli import app
    path = tmp_path / "variant.toml"
    path.write_text('[parameters]\ntoken_home = "browser"\n')
    res = CliRunner().invoke(app, ["check", "--config", str(path), "--engine", "hypothesis", "--examples", "1"])
    assert res.exit_code == 2 and "token_home must be one of" in res.stderr and res.stderr.count("\n") == 1
