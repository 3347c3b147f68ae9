"""`dirproof replay FILE`: exit codes, outputs, and one-line errors for every
kind of bad input (each made by corrupting a corpus file)."""

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dirproof import counterexample as cxf
from dirproof.app import app
import dirproof.cli  # noqa: F401  (registers the commands)

CORPUS = Path(__file__).parent / "counterexamples"
ACK = CORPUS / "entra--ack-before-sync--no-acked-write-lost.json"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["replay", *map(str, args)])


def corrupt(tmp_path, mutate, name="bad.json"):
    data = json.loads(ACK.read_text())
    text = mutate(data)
    path = tmp_path / name
    path.write_text(text if isinstance(text, str) else json.dumps(data))
    return path


def test_help():
    res = run("--help")
    assert res.exit_code == 0
    for opt in ("--json", "--svg", "--html", "--itf", "--pytest", "--minimize", "--out"):
        assert opt in res.stdout


def test_reproducing_file_exits_1_with_the_report():
    res = run(ACK)
    assert res.exit_code == 1, res.output
    assert "step 2  acknowledge: A1 acknowledges what its PP holds" in res.stdout
    assert "A1: log +[(1,1) Create obj 0]" in res.stdout
    assert "REPRODUCED: no-acked-write-lost breaks at step 2" in res.stdout


def test_harmless_file_exits_0(tmp_path):
    path = tmp_path / "safe.json"
    data = json.loads((CORPUS / "entra--read-ignores-token--read-your-writes.json").read_text())
    data["config"]["flaws"] = []
    path.write_text(json.dumps(data))
    res = run(path)
    assert res.exit_code == 0, res.output
    assert "HELD: every step ran and no property broke" in res.stdout
    assert "did not reproduce" in res.stdout


def test_json_output(tmp_path):
    res = run(ACK, "--json")
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert doc["outcome"]["reproduced"] is True and doc["outcome"]["step"] == 2
    assert doc["steps"][1]["changes"][0] == "A1: commit 0 -> 1"
    assert doc["exit_code"] == 1


def test_assumption_broken_file_is_reported_as_such(tmp_path):
    steps = [{"step": "client_write", "at": 0, "session": 0, "op": {"op": "create", "obj": 0}},
             {"step": "replicate_to_passive", "source": 0}, {"step": "acknowledge", "replica": 0},
             {"step": "lose_disk", "replica": 0}, {"step": "lose_disk", "replica": 2}]
    path = corrupt(tmp_path, lambda d: d.update(steps=steps, violated_at=5, status="assumption-broken",
                                                config={**d["config"], "flaws": []}))
    res = run(path)
    assert res.exit_code == 1
    assert "ASSUMPTION BROKEN fault-budget" in res.stdout
    assert "REPRODUCED: no-acked-write-lost breaks at step 5 (beyond its assumptions)" in res.stdout
    doc = json.loads(run(path, "--json").stdout)
    assert doc["outcome"]["status"] == "assumption-broken"
    assert doc["recorded"]["status"] == "assumption-broken"


def test_svg_html_and_itf_outputs(tmp_path):
    svg, page, itf = tmp_path / "t.svg", tmp_path / "t.html", tmp_path / "t.itf.json"
    res = run(CORPUS / "entra--no-fencing--no-acked-write-lost.json", "--svg", svg, "--html", page, "--itf", itf)
    assert res.exit_code == 1, res.output
    root = ET.fromstring(svg.read_text().encode())
    assert root.tag.endswith("svg")
    texts = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    for label in ("A1", "A2", "B1", "B2", "orchestrator", "session 0", "region A", "AP e2", "PP e2",
                  "BROKEN: no-acked-write-lost", "REPRODUCED", "crash"):
        assert label in texts, label
    body = page.read_text()
    assert body.startswith("<!DOCTYPE html>") and "<svg" in body and "</html>" in body
    svg_part = body[body.index("<svg"):body.index("</svg>") + 6]
    ET.fromstring(svg_part.encode())  # the embedded picture is well-formed
    assert "src=" not in body and "<link" not in body and "<script" not in body  # self-contained
    assert json.loads(itf.read_text())["#meta"]["format"] == "ITF"
    assert f"picture written to {svg}" in res.stdout


def test_breaking_step_is_highlighted_in_the_svg(tmp_path):
    from dirproof.picture import C_BREAK
    out = tmp_path / "t.svg"
    run(ACK, "--svg", out)
    root = ET.fromstring(out.read_text().encode())
    bands = [e for e in root.iter() if e.tag.endswith("rect") and e.get("fill") == C_BREAK]
    assert len(bands) == 1
    # the band is the row of step 2 (row 0 is the initial state)
    from dirproof.picture import ROW, TOP
    assert float(bands[0].get("y")) == TOP + 2 * ROW


def test_pytest_export_prints_code():
    res = run(ACK, "--pytest")
    assert res.exit_code == 1
    assert res.stdout.startswith("def test_counterexample_ack_before_sync_no_acked_write_lost():")
    compile(res.stdout, "x", "exec")


def test_minimize_prints_or_writes(tmp_path):
    data = json.loads(ACK.read_text())
    pad = [{"step": "tick", "days": 1}, {"step": "partition", "a": 1, "b": 3}]
    data["steps"] = pad + data["steps"][:1] + [{"step": "heal", "a": 1, "b": 3}] + data["steps"][1:]
    data["violated_at"] = 5
    padded = tmp_path / "padded.json"
    padded.write_text(json.dumps(data))
    res = run(padded, "--minimize")
    assert res.exit_code == 1, res.output
    small = cxf.from_json(json.loads(res.stdout))
    assert len(small.steps) == 2 and small.violated_at == 2
    assert "minimize: 5 -> 2 steps" in res.stderr
    out = tmp_path / "small.json"
    res = run(padded, "--minimize", "--out", out, "--json")
    assert res.exit_code == 1
    assert json.loads(res.stdout)["minimized"]["steps"] == 2
    assert cxf.load(out).steps == small.steps


def test_conflicting_stdout_options_are_refused():
    res = run(ACK, "--json", "--pytest")
    assert res.exit_code == 2
    assert "choose one" in res.stderr
    assert run(ACK, "--out", "x.json").exit_code == 2


# ------------------------------------------------------------------ bad input

def _step(i):
    def mutate(d):
        return d["steps"][i]
    return mutate


BAD = [
    ("truncated", lambda d: ACK.read_text()[:len(ACK.read_text()) // 2], None, "not valid JSON"),
    ("malformed", lambda d: "{ this is not json", None, "not valid JSON"),
    ("empty", lambda d: "", None, "not valid JSON"),
    ("not-a-counterexample", lambda d: "[1, 2]", None, "not a dirproof counterexample"),
    ("unknown-version", lambda d: d.update(version=7), None, "format version 7 is not supported"),
    ("unknown-action", lambda d: d["steps"][1].update(step="teleport"), 2, "unknown action 'teleport'"),
    ("bad-action-args", lambda d: d["steps"][0].update(at="A1"), 1, "not a valid client_write action"),
    ("step-not-a-name", lambda d: d["steps"][1].update(step=[]), 2, "unknown action"),
    ("unknown-op", lambda d: d["steps"][0]["op"].update(op="explode"), 1, "not a valid client_write action"),
    ("unknown-flaw", lambda d: d["config"].update(flaws=["no-such-flaw"]), None, "unknown flaw id(s): no-such-flaw"),
    ("one-region", lambda d: [dc.update(region=0) for dc in d["config"]["datacenters"]], None,
     "impossible configuration: no second region"),
    ("no-replicas", lambda d: d["config"].update(datacenters=[]), None, "impossible configuration: the partition has zero replicas"),
    ("unknown-property", lambda d: d.update(property="always-fast"), None, "unknown property 'always-fast'"),
    ("rejected-step", lambda d: d["steps"][1].update(replica=1), 2,
     "is rejected by the model: A2 is not an active primary"),
    ("no-such-replica", lambda d: d["steps"][1].update(replica=9), 2, "no replica 9"),
]


@pytest.mark.parametrize("name, mutate, step, reason", BAD, ids=[b[0] for b in BAD])
def test_bad_input_gives_one_line_and_exit_2(tmp_path, name, mutate, step, reason):
    path = corrupt(tmp_path, mutate, f"{name}.json")
    res = run(path)
    assert res.exit_code == 2, res.output
    err = res.stderr
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith(f"dirproof: error: {path}: ")
    assert reason in err
    if step is not None:
        assert f"step {step}" in err
    assert "Traceback" not in res.output
    assert res.stdout == ""
    # machines get the same error as JSON
    res = run(path, "--json")
    assert res.exit_code == 2
    doc = json.loads(res.stdout)
    assert doc["exit_code"] == 2 and reason in doc["error"] and doc["step"] in (step, None)


def test_missing_file(tmp_path):
    res = run(tmp_path / "nope.json")
    assert res.exit_code == 2
    assert res.stderr == f"dirproof: error: {tmp_path / 'nope.json'}: no such file\n"


def test_a_directory_is_bad_input(tmp_path):
    res = run(tmp_path)
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and str(tmp_path) in res.stderr


def test_the_real_command_prints_no_traceback(tmp_path):
    path = corrupt(tmp_path, lambda d: d["steps"][1].update(replica=1))
    res = subprocess.run([sys.executable, "-m", "dirproof.cli", "replay", str(path)],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    assert res.stdout == ""
    assert res.stderr.splitlines() == [
        f"dirproof: error: {path}: step 2 (acknowledge: A2 acknowledges what its PP holds) "
        f"is rejected by the model: A2 is not an active primary (to ask whether another design refutes "
        f"the trace: --design, --no-flaws, --flaw, --profile or --config)"]


def test_a_harmless_trace_has_no_red_band():
    from dirproof.model import make_config
    from dirproof.picture import C_BREAK, svg
    from dirproof.replay import replay
    cx = cxf.load(CORPUS / "entra--read-ignores-token--read-your-writes.json")
    safe = cxf.Counterexample(make_config("entra"), cx.steps, cx.property, cx.violated_at)
    root = ET.fromstring(svg(replay(safe)).encode())
    assert not [e for e in root.iter() if e.tag.endswith("rect") and e.get("fill") == C_BREAK]
    assert "HELD" in " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
