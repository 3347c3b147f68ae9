"""Canonical, versioned JSON of states and actions, and determinism.

Random states come from random walks over `enabled()`: Hypothesis draws a
profile, a set of flaws, a walk length and, at every state, an index into
the enabled actions. Round-trips go through JSON text, as counterexample
files do.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dirproof.model import (ACTION_TYPES, FLAWS, FORMAT_VERSION, OP_TYPES, FormatError, Rejected, action_from_json,
                            action_to_json, candidates, canonical, config_from_json, config_to_json,
                            enabled, initial_state, make_config, state_from_json, state_to_json,
                            step)
from dirproof.model import actions as A
from dirproof.model import objects as O
from dirproof.model import AddMember, BulkDelete, Expire, RemoveMember
from scenarios import SYNC, go, start, w

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def walks(draw, max_len: int = 14):
    """(initial state, actions taken, final state) of a random walk."""
    profile = draw(st.sampled_from(["entra", "entra", "small", "wide"]))
    flaws = draw(st.sets(st.sampled_from(sorted(FLAWS)), max_size=2))
    state = initial_state(make_config(profile, flaws=flaws))
    init, taken = state, []
    for _ in range(draw(st.integers(0, max_len))):
        succ = enabled(state)
        if not succ:
            break
        action, state = succ[draw(st.integers(0, len(succ) - 1))]
        taken.append(action)
    return init, taken, state


def states(max_len: int = 14):
    return walks(max_len).map(lambda walk: walk[2])


def through_text(data):
    """What a file holding `data` reads back as."""
    return json.loads(canonical(data))


# ---------------------------------------------------------------- round-trips


@SETTINGS
@given(states())
def test_state_round_trips_exactly(state):
    text = canonical(state_to_json(state))
    back = state_from_json(json.loads(text))
    assert back == state
    assert canonical(state_to_json(back)) == text


@SETTINGS
@given(walks())
def test_the_actions_of_a_walk_round_trip_and_replay_to_the_same_state(walk):
    init, taken, final = walk
    state = init
    for action in taken:
        back = action_from_json(through_text(action_to_json(action)))
        assert back == action
        state = step(state, back)
    assert state == final


def one_of_each_action():
    """An instance of every action type, and a client write of every op."""
    ops = [O.Create(0), O.Update(0, 1, 1), O.SoftDelete(0), O.Restore(0), O.PermanentDelete(0),
           O.Purge(1), O.RecoverFromBackup(1, 3, (1, 0)), BulkDelete(1, "group"), Expire(1),
           AddMember(0, 1), RemoveMember(0, 1), O.Reinstate(1, (0, 1))]
    assert {type(op) for op in ops} == set(OP_TYPES)
    acts = [A.ClientWrite(0, s, op) for s, op in zip([0, 1, 0, 1, 0, -1, 0, 1, -1, 0, 1, -1], ops)]
    acts += [A.ReplicateToPassive(0), A.Acknowledge(1), A.ReplicateToSecondary(2), A.Rejoin(3),
             A.Read(1), A.MoveSession(1, 2), A.Crash(0), A.Recover(1), A.LoseDisk(2),
             A.Partition(0, 3), A.Heal(1, 2), A.LoseRegion(1), A.EmergencyFailover(2, 1),
             A.PlannedFailover(), A.ReplacePassive(3), A.Tick(29)]
    acts += [A.Flush(1), A.CrashUnclean(2), A.RetryWrite(0, 1)]  # §6
    acts += [A.ShrinkSyncSet(), A.AcknowledgeAlone(), A.LoseOrchestratorChange(), A.TakeImage(1),
             A.RestoreImage(2)]  # issue 13
    acts += [A.HandToken(0, 1), A.Probe(2), A.Reroute(1)]  # issues 14 and 15
    acts += [A.CollectTombstones(), A.Rebuild(3)]  # issue 14: tombstone lifetime
    assert {type(a) for a in acts} == set(ACTION_TYPES)
    return acts


@pytest.mark.parametrize("action", one_of_each_action(), ids=repr)
def test_every_action_type_round_trips(action):
    data = action_to_json(action)
    assert data["step"] == A.step_name(action)
    assert action_from_json(through_text(data)) == action


def test_action_json_is_tagged_by_step_and_op_names():
    data = action_to_json(w(O.SoftDelete(1)))
    assert data == {"step": "client_write", "at": 0, "session": 0,
                    "op": {"op": "soft_delete", "obj": 1}}


def test_config_round_trips():
    cfg = make_config("wide", flaws=["purge-early", "no-fencing"], retention_days=7)
    assert config_from_json(through_text(config_to_json(cfg))) == cfg


def test_canonical_text_is_sorted_and_compact():
    assert canonical({"b": [1, 2], "a": {"d": None, "c": True}}) == '{"a":{"c":true,"d":null},"b":[1,2]}'


def test_state_json_carries_format_and_version():
    data = state_to_json(start())
    assert data["format"] == "dirproof-state" and data["version"] == FORMAT_VERSION


# ---------------------------------------------------------------- malformed input


def format_error(fn, data) -> str:
    with pytest.raises(FormatError) as info:
        fn(data)
    return str(info.value)


def test_unknown_step_is_refused_with_the_known_ones():
    msg = format_error(action_from_json, {"step": "reboot", "replica": 0})
    assert "unknown action 'reboot'" in msg and "emergency_failover" in msg
    assert "unknown action" in format_error(action_from_json, [1, 2])
    assert "unknown action" in format_error(action_from_json, {"replica": 0})


def test_malformed_actions_say_what_is_wrong():
    assert "replica" in format_error(action_from_json, {"step": "crash"})
    assert "extra" in format_error(action_from_json, {"step": "crash", "replica": 0, "extra": 1})
    assert "zap" in format_error(action_from_json, {"step": "client_write", "at": 0, "session": 0,
                                                    "op": {"op": "zap", "obj": 0}})
    assert "not a valid crash action" in format_error(action_from_json, {"step": "crash", "replica": "x"})


def test_wrong_version_is_refused():
    data = state_to_json(start())
    data["version"] = FORMAT_VERSION + 1
    msg = format_error(state_from_json, data)
    assert "version 2" in msg and "not supported" in msg


def test_not_a_state_is_refused():
    assert "not a dirproof state" in format_error(state_from_json, {"version": 1, "state": {}})
    assert "not a dirproof state" in format_error(state_from_json, "{}")


def test_a_state_with_a_missing_or_extra_field_is_refused():
    data = state_to_json(start())
    del data["state"]["orchestrator"]
    assert "not a valid state" in format_error(state_from_json, data)
    data = state_to_json(start())
    data["state"]["replicas"][0]["colour"] = "red"
    assert "colour" in format_error(state_from_json, data)


def test_a_state_with_an_impossible_configuration_is_refused():
    data = state_to_json(start())
    data["state"]["config"]["flaws"] = ["no-such-flaw"]
    assert "impossible configuration" in format_error(state_from_json, data)
    data = state_to_json(start())
    data["state"]["config"]["datacenters"] = data["state"]["config"]["datacenters"][:1]
    assert "at least two replicas" in format_error(state_from_json, data)


def test_wrong_scalar_types_are_refused():
    """No coercion: "no" is not False, 1.7 and "2" and True are not replicas."""
    data = state_to_json(start())
    data["state"]["replicas"][0]["up"] = "no"
    assert "expected bool, got str 'no'" in format_error(state_from_json, data)
    for value, kind in ((1.7, "float"), ("2", "str"), (True, "bool")):
        msg = format_error(action_from_json, {"step": "crash", "replica": value})
        assert f"expected int, got {kind}" in msg and "replica" in msg


# ---------------------------------------------------------------- determinism


@SETTINGS
@given(states(10))
def test_the_same_state_and_action_always_give_the_same_result(state):
    copy = state_from_json(through_text(state_to_json(state)))
    for action in candidates(state):
        a, b = step(state, action), step(copy, action)
        if isinstance(a, Rejected):
            assert b == a
        else:
            assert b == a and canonical(state_to_json(b)) == canonical(state_to_json(a))


@SETTINGS
@given(states(10))
def test_a_rejected_candidate_never_changes_the_state(state):
    before = canonical(state_to_json(state))
    for action in candidates(state):
        step(state, action)
    assert canonical(state_to_json(state)) == before


def test_enabled_is_deterministic_and_lists_only_accepted_actions():
    s = go(start(), w(O.Create(0)), *SYNC)
    first, second = enabled(s), enabled(s)
    assert first == second and first
    assert all(not isinstance(step(s, a), Rejected) and step(s, a) == n for a, n in first)
    assert len(first) == sum(not isinstance(step(s, a), Rejected) for a in candidates(s))
