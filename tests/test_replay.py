"""dirproof.replay: step-by-step diffs, outcomes, minimization, pytest export;
dirproof.counterexample: the file format."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dirproof import counterexample as cxf
from dirproof.counterexample import Counterexample
from dirproof.model import (SYSTEM, Acknowledge, ClientWrite, Crash, Create, EmergencyFailover, FormatError,
                            Heal, LoseDisk, MoveSession, Partition, Read, Recover, ReplicateToPassive,
                            ReplicateToSecondary, Tick, make_config)
from dirproof.replay import (ReplayError, ddmin, diff_states, minimize, pytest_source, replay,
                             report_lines, replay_to_json)
from scenarios import SCENARIOS

A1, A2, B1, B2 = 0, 1, 2, 3
CORPUS = Path(__file__).parent / "counterexamples"


def cx_of(flaw, steps=None, prop=None, **kw):
    p, s, ov = SCENARIOS[flaw]
    return Counterexample(make_config("entra", flaws=[flaw], **ov), tuple(steps if steps is not None else s),
                          prop or p, kw.pop("violated_at", None), engine="test", **kw)


# ------------------------------------------------------------------ diffs

def test_write_and_ack_diffs_name_replicas_lsns_sessions_and_regions():
    rp = replay(cx_of("ack-before-sync"))
    first, second = rp.steps
    assert first.changes == ("A1: log +[(1,1) Create obj 0]",)
    assert "A1: commit 0 -> 1" in second.changes
    assert "session 0 token (0,0) -> (1,1)" in second.changes
    assert "history +acked (1,1) Create obj 0 by A1 to session 0 [regions A]" in second.changes
    assert [v.property for v in second.new] == ["no-acked-write-lost"]
    assert first.new == ()


def test_failover_fault_and_truncation_diffs():
    rp = replay(cx_of("no-fencing"))
    by = {r.index: r.changes for r in rp.steps}
    assert by[1] == ("A1: down",)
    assert "orchestrator: emergency failover -> epoch 2, AP B1, PP A2" in by[2]
    assert "B1: epoch 1 -> 2" in by[2]
    assert not any(c.startswith("history +") for c in by[2])  # said once, on the orchestrator line
    assert by[6] == ("A1: up",)
    assert "B1: log lost (1 entry: [(2,1) Create obj 0])" in by[7]


def test_diff_of_network_time_and_session_moves():
    cfg = make_config("entra")
    from dirproof.model import initial_state, step
    s0 = initial_state(cfg)
    s1 = step(s0, Partition(A2, B2))
    assert diff_states(s0, s1) == ["network: A2 | B2 cut"]
    s2 = step(s1, Heal(B2, A2))
    assert diff_states(s1, s2) == ["network: A2 - B2 healed"]
    s3 = step(s2, Tick(2))
    assert diff_states(s2, s3)[0] == "day 0 -> 2"
    assert "snapshots + day 1, 2" in diff_states(s2, s3)[1]
    s4 = step(s3, MoveSession(1, A1))
    assert diff_states(s3, s4) == ["session 1: moved to A1, same logical session #0, token (0,0)"]  # token_home client
    s5 = step(s4, Read(1))
    assert diff_states(s4, s5) == ["history +read by session 1 (logical #0) at A1: saw up to LSN 0 (token (0,0))"]


def test_report_marks_the_breaking_step_and_says_reproduced():
    rp = replay(cx_of("read-ignores-token"))
    lines = report_lines(rp, "f.json")
    assert lines[0] == "Counterexample f.json"
    assert any(line.startswith(">>step 4  read: session 0") for line in lines)
    assert any("BROKEN read-your-writes: session 0 (logical #0) reading at A2" in line for line in lines)
    assert lines[-1].startswith("REPRODUCED: read-your-writes breaks at step 4")


# ------------------------------------------------------------------ outcomes

def test_reproduced_at_the_recorded_step_has_no_notes():
    o = replay(cx_of("ship-unacked", violated_at=3)).outcome
    assert (o.status, o.reproduced, o.step, o.exit_code, o.notes) == ("violated", True, 3, 1, ())


def test_reproduced_at_another_step_is_noted():
    o = replay(cx_of("ship-unacked", violated_at=2)).outcome
    assert o.reproduced and o.step == 3
    assert o.notes == ("the file records the break at step 2; it reproduces at step 3",)


def test_held_under_the_safe_design_exits_0():
    p, steps, _ = SCENARIOS["read-ignores-token"]
    cx = Counterexample(make_config("entra"), tuple(steps), p, 4)
    o = replay(cx).outcome
    assert (o.status, o.reproduced, o.exit_code) == ("held", False, 0)
    assert "did not reproduce" in o.notes[0]


def test_another_property_breaking_is_not_a_reproduction():
    o = replay(cx_of("ship-unacked", prop="one-history")).outcome
    assert (o.reproduced, o.property, o.step, o.exit_code) == (False, "no-read-of-lost-write", 3, 1)
    assert "the recorded one-history did not break" in o.notes[0]


BUDGET_STEPS = (ClientWrite(A1, 0, Create(0)), ReplicateToPassive(A1), Acknowledge(A1),
                LoseDisk(A1), LoseDisk(B1))


def test_beyond_the_fault_budget_is_reported_as_assumption_broken():
    cx = Counterexample(make_config("entra"), BUDGET_STEPS, "no-acked-write-lost", 5,
                        status="assumption-broken")
    rp = replay(cx)
    o = rp.outcome
    assert (o.status, o.reproduced, o.step, o.exit_code) == ("assumption-broken", True, 5, 1)
    assert rp.steps[-1].assumptions == ("fault-budget",)
    assert any("beyond its assumptions" in n for n in o.notes)
    assert "fault budget: EXCEEDED" in " ".join(rp.steps[-1].changes)
    assert "(beyond its assumptions)" in report_lines(rp)[-2]
    # a file that claims a plain violation is told otherwise
    o2 = replay(attrs_evolve(cx, status="violated")).outcome
    assert "the file says status 'violated'; the replay gives 'assumption-broken'" in o2.notes


def attrs_evolve(cx, **kw):
    import attrs
    return attrs.evolve(cx, **kw)


def test_the_assumption_itself_can_be_the_recorded_target():
    cx = Counterexample(make_config("entra"), BUDGET_STEPS[3:], "fault-budget", 2, status="assumption-broken")
    o = replay(cx).outcome
    assert (o.status, o.reproduced, o.step) == ("assumption-broken", True, 2)


def test_a_rejected_step_is_bad_input_naming_the_step_and_reason():
    steps = (ClientWrite(A1, 0, Create(0)), Acknowledge(A2))
    with pytest.raises(ReplayError) as err:
        replay(cx_of("ack-before-sync", steps=steps))
    assert err.value.step == 2
    assert "step 2 (acknowledge: A2 acknowledges what its PP holds) is rejected by the model: " \
           "A2 is not an active primary" == str(err.value)


def test_json_document_has_steps_and_outcome():
    doc = replay_to_json(replay(cx_of("ack-before-sync", violated_at=2)), "x.json")
    json.dumps(doc)
    assert doc["outcome"] == {"status": "violated", "reproduced": True, "property": "no-acked-write-lost",
                              "step": 2, "message": doc["steps"][1]["broken"][0]["message"],
                              "notes": [], "refused": None}
    assert doc["steps"][0]["action"] == {"step": "client_write", "at": 0, "session": 0,
                                         "op": {"op": "create", "obj": 0}}
    assert doc["exit_code"] == 1


# ------------------------------------------------------------------ minimize

def test_ddmin_finds_a_one_minimal_subsequence():
    need = {3, 7, 11}
    got = ddmin(list(range(16)), lambda xs: need <= set(xs))
    assert got == [3, 7, 11]
    assert ddmin([5], lambda xs: 5 in xs) == [5]


PADDING = [Partition(A2, B2), Heal(A2, B2), Crash(B2), Recover(B2), Tick(1), Read(1)]


def test_minimize_a_padded_scenario_gives_back_the_short_one():
    _, short, _ = SCENARIOS["read-ignores-token"]
    padded = [Tick(1), short[0], Partition(A2, B2), short[1], Read(1), Heal(A2, B2), Crash(B2),
              short[2], Recover(B2), MoveSession(1, A1), short[3], Tick(3)]
    m = minimize(cx_of("read-ignores-token", steps=padded))
    assert list(m.cx.steps) == list(short)
    assert m.cx.violated_at == len(short)
    assert m.cx.engine == "test+ddmin"
    assert replay(m.cx).outcome.reproduced


def _pad(steps):
    out = []
    for i, s in enumerate(steps):
        out.append(PADDING[(2 * i) % 4])
        out.append(PADDING[(2 * i) % 4 + 1])
        out.append(s)
    return out


@pytest.mark.parametrize("flaw", ["ack-before-sync", "no-fencing", "keep-divergent-suffix", "ship-unacked",
                                  "token-reset-on-failover", "restore-defaults"])
def test_minimize_strips_padding_from_every_kind_of_scenario(flaw):
    _, short, _ = SCENARIOS[flaw]
    m = minimize(cx_of(flaw, steps=_pad(short)))
    assert len(m.cx.steps) <= len(short)
    it = iter(short)
    assert all(any(s == t for t in it) for s in m.cx.steps), "minimized steps are a subsequence of the scenario"
    assert replay(m.cx).outcome.reproduced


def test_minimize_refuses_a_trace_that_does_not_break():
    p, steps, _ = SCENARIOS["read-ignores-token"]
    with pytest.raises(ValueError, match="nothing to minimize"):
        minimize(Counterexample(make_config("entra"), tuple(steps), p, None))


def test_minimize_keeps_a_violation_within_the_assumptions():
    """A within-budget violation must not shrink into one beyond the budget;
    a beyond-budget one is minimized as such."""
    padded = BUDGET_STEPS[:3] + (Tick(1), Partition(A2, B2)) + BUDGET_STEPS[3:]
    within = Counterexample(make_config("entra"), padded, "no-acked-write-lost", 7)
    with pytest.raises(ValueError, match="within the assumptions"):
        minimize(within)
    beyond = attrs_evolve(within, status="assumption-broken")
    m = minimize(beyond)
    assert m.cx.steps == BUDGET_STEPS
    assert m.cx.status == "assumption-broken"


# ------------------------------------------------------------------ pytest export

def _exec(code):
    ns = {}
    exec(compile(code, "<exported>", "exec"), ns)
    fn = next(v for k, v in ns.items() if k.startswith("test_"))
    fn()


def test_exported_function_passes_and_fails_without_the_flaw():
    cx = cx_of("keep-divergent-suffix", violated_at=9)
    code = pytest_source(cx)
    assert code.startswith("def test_counterexample_keep_divergent_suffix_one_history():")
    _exec(code)
    broken = code.replace("flaws=['keep-divergent-suffix']", "flaws=[]")
    assert broken != code
    with pytest.raises(AssertionError):
        _exec(broken)


def test_exported_functions_of_the_whole_corpus_pass_under_pytest(tmp_path):
    files = sorted(CORPUS.glob("*.json"))
    assert files
    code = "\n\n".join(pytest_source(cxf.load(f), f.name) for f in files)
    test_file = tmp_path / "test_exported.py"
    test_file.write_text(code)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
                         capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"{len(files)} passed" in res.stdout


def test_exported_config_keeps_overrides():
    cx = Counterexample(make_config("entra", flaws=["ship-unacked"], retention_days=7, sessions=1),
                        (ClientWrite(A1, 0, Create(0)), ReplicateToSecondary(A2), Read(0)),
                        "no-read-of-lost-write", 3)
    code = pytest_source(cx)
    assert "make_config('entra', flaws=['ship-unacked'], sessions=1, retention_days=7)" in code
    _exec(code)


def test_exported_system_write_and_budget_case():
    cx = Counterexample(make_config("entra"), BUDGET_STEPS, "no-acked-write-lost", 5, status="assumption-broken")
    code = pytest_source(cx)
    assert "assert broken_assumptions(state)" in code
    _exec(code)
    assert SYSTEM == -1


# ------------------------------------------------------------------ the file format

def test_save_is_stable_and_round_trips(tmp_path):
    cx = cx_of("ship-unacked", violated_at=3, message="m", found="2026-01-01T00:00:00Z")
    p1 = cxf.save(cx, tmp_path)
    p2 = cxf.save(cx, tmp_path)
    assert p1 == p2 == tmp_path / "entra--ship-unacked--no-read-of-lost-write.json"
    assert [p.name for p in tmp_path.iterdir()] == [p1.name], "no temporary or duplicate files left"
    assert cxf.load(p1) == cx


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    cx = cx_of("ship-unacked", violated_at=3)
    path = cxf.save(cx, tmp_path)
    before = path.read_text()

    def boom(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        cxf.save(attrs_evolve(cx, message="new"), tmp_path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.mark.parametrize("mutate, expect", [
    (lambda d: d.update(version=2), "format version 2 is not supported"),
    (lambda d: d.pop("format"), "not a dirproof counterexample"),
    (lambda d: d.update(property="no-such-property"), "unknown property 'no-such-property'"),
    (lambda d: d.update(status="maybe"), "unknown status 'maybe'"),
    (lambda d: d.update(violated_at=99), "violated_at 99 is not a step index"),
    (lambda d: d["steps"][1].update(step="teleport"), "step 2: unknown action 'teleport'"),
    (lambda d: d["steps"][0].update(at="A1"), "step 1: not a valid client_write action"),
    (lambda d: d["config"].update(flaws=["no-such-flaw"]), "config: impossible configuration: unknown flaw"),
    (lambda d: d.pop("steps"), "missing field 'steps'"),
])
def test_from_json_names_what_is_wrong(mutate, expect):
    data = cxf.to_json(cx_of("ship-unacked", violated_at=3))
    mutate(data)
    with pytest.raises(FormatError) as err:
        cxf.from_json(data)
    assert expect in str(err.value)
