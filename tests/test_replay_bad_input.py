"""Every bad input to `dirproof replay` ends in one line `dirproof: error: ...`
on stderr and exit 2, with no traceback, and is found before the replay
starts (no initial state is built); outputs are written whole or not at
all. A second test removes the handling and shows that this corpus then
catches it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import dirproof.cli  # noqa: F401  (registers the commands)
import dirproof.commands.replay as command
import dirproof.replay.run as replay_run
from dirproof import config_file
from dirproof import counterexample as cxf
from dirproof.app import app

CORPUS = Path(__file__).parent / "counterexamples"
ACK = CORPUS / "entra--ack-before-sync--no-acked-write-lost.json"
FENCE = CORPUS / "entra--no-fencing--no-acked-write-lost.json"
runner = CliRunner()


def _variant(tmp: Path, name: str, change) -> Path:
    data = json.loads(ACK.read_text())
    text = change(data)
    path = tmp / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text if isinstance(text, str) else json.dumps(data))
    return path


def _fifo(tmp: Path) -> Path:
    os.mkfifo(tmp / "pipe")
    return tmp / "pipe"


def _toml(tmp: Path, text: str) -> Path:
    (tmp / "d.toml").write_text(text)
    return tmp / "d.toml"


# name -> (arguments made in a temporary folder, words the error line holds)
CASES = {
    "missing-file": (lambda t: [t / "nope.json"], "no such file"),
    "folder": (lambda t: [t], "is a folder"),
    "device": (lambda t: ["/dev/null"], "not a regular file"),
    "endless-device": (lambda t: ["/dev/zero"], "not a regular file"),
    "pipe": (lambda t: [_fifo(t)], "not a regular file"),
    "malformed-json": (lambda t: [_variant(t, "m.json", lambda d: "{ not json")], "not valid JSON"),
    "truncated-json": (lambda t: [_variant(t, "t.json", lambda d: ACK.read_text()[:40])], "not valid JSON"),
    "binary": (lambda t: [_variant(t, "b.json", lambda d: b"\xff\xfe{\x00")], "not valid JSON"),
    "deeply-nested": (lambda t: [_variant(t, "n.json", lambda d: "[" * 200_000)], "not a counterexample"),
    "wrong-format": (lambda t: [_variant(t, "f.json", lambda d: d.update(format="other"))],
                     "not a dirproof counterexample"),
    "wrong-version": (lambda t: [_variant(t, "v.json", lambda d: d.update(version=2))], "version 2"),
    "unknown-flaw-in-file": (lambda t: [_variant(t, "u.json", lambda d: d["config"].update(flaws=["x"]))],
                             "unknown flaw"),
    "unknown-property": (lambda t: [_variant(t, "p.json", lambda d: d.update(property="fast"))],
                         "unknown property"),
    "huge-sessions": (lambda t: [_variant(t, "s.json", lambda d: d["config"].update(sessions=10**8))],
                      "sessions = 100000000 is out of range"),
    "huge-objects": (lambda t: [_variant(t, "o.json", lambda d: d["config"].update(objects=10**9))],
                     "out of range"),
    "too-many-steps": (lambda t: [_variant(t, "l.json", lambda d: d.update(steps=d["steps"] * 6000))],
                       "12000 steps is out of range"),
    "rejected-step": (lambda t: [_variant(t, "r.json", lambda d: d["steps"][1].update(replica=1))],
                      "is rejected by the model"),
    "unknown-flaw": (lambda t: [ACK, "--flaw", "no-such-flaw"], "unknown flaw id(s): no-such-flaw"),
    "unknown-profile": (lambda t: [ACK, "--profile", "huge"], "unknown profile 'huge'"),
    "unknown-design": (lambda t: [ACK, "--design", "entra+nope"], "unknown flaw id(s): nope"),
    "empty-design": (lambda t: [ACK, "--design", ""], "--design is empty"),
    "config-folder": (lambda t: [ACK, "--config", t], "is a folder"),
    "config-missing": (lambda t: [ACK, "--config", t / "x.toml"], "no such file"),
    "config-device": (lambda t: [ACK, "--config", "/dev/zero"], "not a regular file"),
    "config-bad-toml": (lambda t: [ACK, "--config", _toml(t, "[")], "not valid TOML"),
    "config-huge": (lambda t: [ACK, "--config", _toml(t, "[parameters]\nobjects = 100000000\n")],
                    "objects = 100000000 is not in the range"),
    "flaw-and-no-flaws": (lambda t: [ACK, "--flaw", "no-fencing", "--no-flaws"], "contradict"),
    "design-and-flaw": (lambda t: [ACK, "--design", "entra", "--flaw", "no-fencing"], "give it alone"),
    "profile-and-config": (lambda t: [ACK, "--profile", "small", "--config", t / "x.toml"], "topology"),
    "does-not-fit": (lambda t: [FENCE, "--profile", "small"], "does not fit"),
    "pytest-on-other-design": (lambda t: [ACK, "--pytest", "--no-flaws"], "works on the recorded design"),
    "svg-folder": (lambda t: [ACK, "--svg", t], "--svg: is a folder"),
    "html-no-folder": (lambda t: [ACK, "--html", t / "no" / "x.html"], "--html: no such folder"),
    "itf-device": (lambda t: [ACK, "--itf", "/dev/full"], "--itf: is not a regular file"),
    "itf-proc": (lambda t: [ACK, "--itf", "/proc/x/r.json"], "no such folder"),
    "out-folder": (lambda t: [ACK, "--minimize", "--out", t], "--out: is a folder"),
    "same-output-twice": (lambda t: [ACK, "--svg", t / "a", "--html", t / "a"], "name the same file"),
    "svg-over-the-input": (lambda t: [_variant(t, "i.json", lambda d: None), "--svg", t / "i.json"],
                           "names the counterexample file itself"),
    "out-without-minimize": (lambda t: [ACK, "--out", t / "x.json"], "--out goes with --minimize"),
}
# Cases the pre-checks of commands/replay.py catch (the others are the file
# format's and the design's own errors, tested in test_replay_cli.py).
PRE_CHECKED = ("folder", "device", "pipe", "huge-sessions", "huge-objects", "too-many-steps",
               "config-folder", "config-huge", "does-not-fit", "svg-folder", "itf-device", "out-folder",
               "same-output-twice", "html-no-folder", "svg-over-the-input", "deeply-nested", "malformed-json")


def problems(tmp: Path, name: str) -> list[str]:
    """What is wrong with the command's answer to bad input `name` (nothing: all is well)."""
    make, words = CASES[name]
    res = runner.invoke(app, ["replay", *map(str, make(tmp))])
    out = []
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        out.append(f"raised {type(res.exception).__name__}: {res.exception}")
    if res.exit_code != 2:
        out.append(f"exit {res.exit_code}")
    if not (res.stderr.startswith("dirproof: error: ") and res.stderr.count("\n") == 1):
        out.append(f"not one error line: {res.stderr!r}")
    if words not in res.stderr:
        out.append(f"{words!r} not in {res.stderr!r}")
    if "Traceback" in res.output:
        out.append("a traceback")
    return out


# Found by running the steps (cheap: no search), so the replay must start.
DURING_REPLAY = ("rejected-step",)


def _forbid_replay(monkeypatch) -> None:
    """Building the initial state means the replay started: bad input must be found first."""
    def started(*a, **k):
        raise AssertionError("the replay started")
    monkeypatch.setattr(replay_run, "initial_state", started)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_one_line_exit_2_before_the_replay(tmp_path, monkeypatch, name):
    if name not in DURING_REPLAY:
        _forbid_replay(monkeypatch)
    assert problems(tmp_path, name) == []


def test_the_corpus_catches_the_handling_removed(tmp_path, monkeypatch):
    _forbid_replay(monkeypatch)
    monkeypatch.setattr(command, "_load", lambda file, as_json: cxf.load(file))  # no check, no catch
    monkeypatch.setattr(command, "_input_problem", lambda path: None)
    monkeypatch.setattr(command, "_check_outputs", lambda outputs, as_json, file: None)
    monkeypatch.setattr(command, "_size_problem", lambda cfg: None)
    monkeypatch.setattr(command, "MAX_STEPS", 10**9)
    monkeypatch.setattr(replay_run, "check_fit", lambda cx, cfg: None)
    # the TOML reader's own ranges (dirproof/config_file.py) would refuse config-huge first
    monkeypatch.setattr(config_file, "LIMITS", {k: (0, 10**12) for k in config_file.PARAMETERS})
    caught = set()
    for name in PRE_CHECKED:
        if name == "pipe":
            continue  # without the check, reading a pipe would block: it is not run here
        (tmp_path / name).mkdir()
        if problems(tmp_path / name, name):
            caught.add(name)
    assert caught == set(PRE_CHECKED) - {"pipe"}


def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    """An interrupt (or a full disk) in the middle of writing an output
    leaves neither the output nor a temporary file behind."""
    import dirproof.atomic as atomic
    out = tmp_path / "t.svg"

    def interrupted(fd):
        raise KeyboardInterrupt
    monkeypatch.setattr(atomic.os, "fsync", interrupted)
    res = runner.invoke(app, ["replay", str(ACK), "--svg", str(out)])
    assert res.exit_code == 130  # click's answer to KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    assert runner.invoke(app, ["replay", str(ACK), "--svg", str(out)]).exit_code == 1
    assert [p.name for p in tmp_path.iterdir()] == ["t.svg"]
    assert oct(out.stat().st_mode & 0o777) != oct(0o600)  # not the temporary file's private mode


STDOUT_FULL = """
import sys
import dirproof.commands.replay as command
if sys.argv[1] == "removed":
    import typer
    command._echo = lambda text, err=False, nl=True: typer.echo(text, err=err, nl=nl)
from dirproof.cli import app
app(["replay", sys.argv[2], "--pytest"])
"""


@pytest.mark.parametrize("handling", ["kept", "removed"])
def test_a_full_standard_output_is_one_line(handling):
    with open("/dev/full", "w") as full:
        res = subprocess.run([sys.executable, "-c", STDOUT_FULL, handling, str(ACK)], stdout=full,
                             stderr=subprocess.PIPE, text=True, timeout=120)
    if handling == "kept":
        assert res.returncode == 2
        assert res.stderr == "dirproof: error: cannot write to standard output (No space left on device)\n"
    else:  # without the handling, Python's own traceback: the check above would catch it
        assert res.returncode != 2 or res.stderr.count("\n") > 1
        assert "Traceback" in res.stderr or "Exception ignored" in res.stderr
