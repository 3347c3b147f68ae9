"""`--itf`: the trace in the Informal Trace Format (Apalache ADR-015), checked
against the spec's shape by a validator written here, independently of the
exporter."""

import json
import re
from pathlib import Path

import pytest

from dirproof import counterexample as cxf
from dirproof.itf import trace
from dirproof.model import step_name
from dirproof.replay import replay

CORPUS = sorted((Path(__file__).parent / "counterexamples").glob("*.json"))
TOP_KEYS = {"#meta", "params", "vars", "states", "loop"}
SPECIAL = {"#bigint", "#set", "#tup", "#map", "#unserializable"}


def itf_errors(value, where="$") -> list[str]:
    """Why `value` is not an ITF expression (ADR-015, 'Expressions')."""
    if isinstance(value, bool) or isinstance(value, str):
        return []
    if isinstance(value, (int, float)):
        # the spec allows small JSON integers, but this exporter promises
        # #bigint everywhere, so any plain number is an error here
        return [f"{where}: plain JSON number {value!r}"]
    if value is None:
        return [f"{where}: null is not an ITF expression"]
    if isinstance(value, list):
        return [e for i, x in enumerate(value) for e in itf_errors(x, f"{where}[{i}]")]
    if not isinstance(value, dict):
        return [f"{where}: {type(value).__name__}"]
    special = set(value) & SPECIAL
    if special:
        if len(value) != 1:
            return [f"{where}: {sorted(special)} with other keys {sorted(value)}"]
        (key, inner), = value.items()
        if key == "#bigint":
            return [] if isinstance(inner, str) and re.fullmatch(r"-?[0-9]+", inner) else [f"{where}: bad #bigint"]
        if key == "#unserializable":
            return [f"{where}: unserializable {inner!r}"]  # legal, but never expected from us
        if not isinstance(inner, list):
            return [f"{where}: {key} must hold an array"]
        if key == "#map":
            errs = []
            for i, pair in enumerate(inner):
                if not (isinstance(pair, list) and len(pair) == 2):
                    errs.append(f"{where}.#map[{i}]: not a [key, value] pair")
                else:
                    errs += itf_errors(pair[0], f"{where}.#map[{i}].key") + itf_errors(pair[1], f"{where}.#map[{i}].value")
            return errs
        return [e for i, x in enumerate(inner) for e in itf_errors(x, f"{where}.{key}[{i}]")]
    bad = [k for k in value if k.startswith("#")]
    if bad:
        return [f"{where}: record field(s) {bad} start with #"]
    return [e for k, x in value.items() for e in itf_errors(x, f"{where}.{k}")]


def trace_errors(t) -> list[str]:
    """Why `t` is not an ITF trace object (ADR-015, 'Trace object', 'State object')."""
    if not isinstance(t, dict):
        return ["not an object"]
    errs = [f"unknown top-level key {k!r}" for k in t if k not in TOP_KEYS]
    if not isinstance(t.get("#meta", {}), dict):
        errs.append("#meta is not an object")
    vars_ = t.get("vars")
    if not (isinstance(vars_, list) and all(isinstance(v, str) for v in vars_)):
        return errs + ["vars is not an array of strings"]
    if len(set(vars_)) != len(vars_):
        errs.append("vars has duplicates")
    states = t.get("states")
    if not isinstance(states, list) or not states:
        return errs + ["states is not a non-empty array"]
    for i, s in enumerate(states):
        if not isinstance(s, dict):
            errs.append(f"state {i} is not an object")
            continue
        if not isinstance(s.get("#meta", {}), dict):
            errs.append(f"state {i}: #meta is not an object")
        keys = set(s) - {"#meta"}
        if keys != set(vars_):
            errs.append(f"state {i}: variables {sorted(keys ^ set(vars_))} differ from vars")
        for k in keys:
            errs += itf_errors(s[k], f"states[{i}].{k}")
    if "loop" in t and not (isinstance(t["loop"], int) and 0 <= t["loop"] < len(states)):
        errs.append("loop is not a state index")
    return errs


def test_the_validator_catches_what_the_spec_forbids():
    ok = {"vars": ["x"], "states": [{"#meta": {"index": 0}, "x": {"#bigint": "1"}}]}
    assert trace_errors(ok) == []
    assert trace_errors({"vars": ["x"], "states": [{"x": 1}]}) == ["states[0].x: plain JSON number 1"]
    assert trace_errors({"vars": ["x", "y"], "states": [{"x": True}]})[0].startswith("state 0: variables")
    assert itf_errors({"#set": [1]}) == ["$.#set[0]: plain JSON number 1"]
    assert itf_errors({"#map": [["a"]]}) == ["$.#map[0]: not a [key, value] pair"]
    assert itf_errors({"#bigint": "1x"}) == ["$: bad #bigint"]
    assert itf_errors({"#tup": [], "b": 1}) != []
    assert itf_errors({"#field": "x"}) == ["$: record field(s) ['#field'] start with #"]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_traces_are_valid_itf(path):
    cx = cxf.load(path)
    rp = replay(cx)
    t = json.loads(json.dumps(trace(rp, str(path))))
    assert trace_errors(t) == []
    assert t["#meta"]["format"] == "ITF"
    assert t["#meta"]["property"] == cx.property
    assert len(t["states"]) == len(cx.steps) + 1
    assert [s["#meta"]["index"] for s in t["states"]] == list(range(len(t["states"])))
    actions = [s["mbt::actionTaken"] for s in t["states"]]
    assert actions == ["init"] + [step_name(a) for a in cx.steps]
    broke = rp.outcome.step
    assert cx.property in t["states"][broke]["violations"]["#set"]
    assert cx.property not in t["states"][broke - 1]["violations"]["#set"]


def _decode(v):
    if isinstance(v, dict) and "#bigint" in v:
        return int(v["#bigint"])
    if isinstance(v, dict) and "#map" in v:
        return {_decode(k) if not isinstance(k, dict) or "#bigint" in k else json.dumps(k): _decode(x)
                for k, x in v["#map"]}
    if isinstance(v, dict) and ("#tup" in v or "#set" in v):
        return [_decode(x) for x in (v.get("#tup") or v.get("#set"))]
    if isinstance(v, dict):
        return {k: _decode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_decode(x) for x in v]
    return v


def test_itf_values_match_the_model_states():
    path = next(p for p in CORPUS if "no-fencing" in p.name)
    rp = replay(cxf.load(path))
    t = trace(rp)
    cfg = rp.cx.config
    for s, state in zip(t["states"], rp.states):
        reps = _decode(s["replicas"])
        for r, rep in enumerate(state.replicas):
            mine = reps[cfg.name_of(r)]
            assert (mine["up"], mine["epoch"], mine["commit"], len(mine["log"])) == \
                (rep.up, rep.epoch, rep.commit, len(rep.log))
            assert [(e["epoch"], e["lsn"]) for e in mine["log"]] == [(e.epoch, e.lsn) for e in rep.log]
        orch = _decode(s["orchestrator"])
        assert (orch["epoch"], orch["ap"], orch["pp"]) == (
            state.orchestrator.epoch, cfg.name_of(state.orchestrator.ap), cfg.name_of(state.orchestrator.pp))
        tokens = {k: tuple(v["token"]) for k, v in _decode(s["sessions"]).items()}
        assert tokens == {i: (x.token.epoch, x.token.lsn) for i, x in enumerate(state.sessions)}
        assert _decode(s["day"]) == state.day
        assert len(s["history"]) == len(state.history)
    picks = t["states"][2]["mbt::nondetPicks"]  # emergency_failover B1 -> AP, A2 -> PP
    assert picks["new_ap"] == {"tag": "Some", "value": "B1"}
    assert picks["new_pp"] == {"tag": "Some", "value": "A2"}
    assert picks["replica"] == {"tag": "None", "value": {"#tup": []}}
