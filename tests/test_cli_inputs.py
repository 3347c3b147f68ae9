"""No traceback on any user input: every bad path, option and configuration
ends in one line `dirproof: error: ...` on stderr with exit 2, and an output
path that cannot be written is refused BEFORE the long work starts (the
engines are replaced by a stub that fails the test if it is ever reached)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dirproof import app as app_module
from dirproof.cli import app

runner = CliRunner()


def corpus(tmp: Path) -> list[list[str]]:
    a_file = tmp / "a-file.txt"
    a_file.write_text("x")
    bad_toml = tmp / "bad.toml"
    bad_toml.write_text("profile = \n")
    huge = tmp / "huge.toml"
    huge.write_text("[parameters]\nsessions = 1000\nobjects = 1000\n")
    huger = tmp / "huger.toml"
    huger.write_text("[parameters]\nsessions = 100000000000000000000\n")
    negative = tmp / "negative.toml"
    negative.write_text("[parameters]\nretention_days = -5\n")
    many = tmp / "many.toml"
    many.write_text('[topology]\nregions = ["a", "b"]\ndatacenters = ['
                    + ", ".join(f'{{ name = "d{i}", region = "{"ab"[i % 2]}" }}' for i in range(40)) + "]\n")
    hyp = ["check", "--engine", "hypothesis"]
    return [
        ["check", "--config", "examples"], ["check", "--config", str(tmp)], ["check", "--config", "/dev/null"],
        ["check", "--config", str(bad_toml)], ["check", "--config", str(huge)], ["check", "--config", str(huger)],
        ["check", "--config", str(negative)], ["check", "--config", str(many)],
        ["check", "--config", str(tmp / "absent.toml")],
        hyp + ["--out", "/dev/full"], hyp + ["--out", str(a_file)], hyp + ["--out", str(a_file / "sub")],
        hyp + ["--out", "/proc/x/y"], ["check", "--out", "/dev/null"],
        ["review", "--out", "/proc/x/r.md"], ["review", "--out", str(tmp)], ["review", "--out", "/dev/full"],
        ["review", "--config", str(bad_toml)], ["review", "--examples", "0"],
        ["check", "--examples", "0"], ["check", "--examples", "-5"], ["check", "--examples", "10" * 20],
        ["check", "--examples", "many"], ["check", "--seconds", "inf"], ["check", "--seconds", "nan"],
        ["check", "--seconds", "-1"], ["check", "--seconds", "0"], ["check", "--seconds", "1e300"],
        ["check", "--depth", "0"], ["check", "--depth", "1000000"], ["check", "--seed", "-1"],
        ["check", "--seed", "9" * 30], ["check", "--scope", "0", "3"], ["check", "--scope", "3", "99"],
        ["check", "--scope", "3"], ["check", "--examples", "5", "--seconds", "5"],
        ["check", "--flaw", "no-such-flaw"], ["check", "--profile", "huge"], ["check", "--engine", "tlc"],
        ["check", "--property", "x"], ["check", "--property", "one-history", "--property", "nope"],
        ["check", "--property", ""], ["check", "--property"], ["check", "--all-violations", "yes"],
        ["check", "--bogus"], ["nonsense"],
        ["prove", "--scope", "9", "9"], ["prove", "--step", "fly"], ["bmc", "--property", "no-such-property"],
        ["bmc", "--property", "one-history", "--depth", "99"], ["bmc", "--property", "one-history",
                                                                  "--save", "/dev/full"],
        ["witness", "--property", "one-history", "--depth", "0"],
        ["conform", str(tmp / "absent.jsonl")], ["conform", str(tmp)], ["conform", str(a_file), "--svg", "/dev/full"],
        ["conform", str(a_file), "--frontier", "0"], ["conform", str(a_file), "--depth", "-1"],
        ["pg", "run", "--ops", "5"], ["pg", "run", "--config", "nope"], ["pg", "run", "--kills", "9"],
        ["bfs", "--seconds", "inf"], ["bfs", "--seconds", "nan"], ["bfs", "--writes", "-1"],
        ["bfs", "--flaw", "nope"], ["bfs", "--profile", "nope"], ["bfs", "--unbounded", "writes", "--unbounded",
                                                                    "epochs", "--unbounded", "days"],
        ["bfs", "--out", "/dev/full"], ["bfs", "--out", str(a_file)], ["bfs", "--out", "/proc/x/y"],
        ["prove-any", "--flaw", "nope"], ["prove-any", "--transition", "fly"], ["prove-any", "--timeout", "nan"],
    ]


def problems(res) -> list[str]:
    """What is wrong with how a bad input ended (empty: exit 2, one line, no traceback)."""
    out = []
    if res.exit_code != 2:
        out.append(f"exit {res.exit_code}")
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        out.append(f"exception {type(res.exception).__name__}: {res.exception}")
    lines = res.stderr.splitlines()
    if len(lines) != 1 or not lines[0].startswith("dirproof: error: "):
        out.append(f"stderr is not one error line: {res.stderr[:300]!r}")
    if "Traceback" in res.output:
        out.append("a traceback")
    return out


@pytest.fixture
def no_long_work(monkeypatch):
    """A bad input must be refused before any engine runs."""
    def never(*a, **k):
        raise AssertionError("the long work started for a bad input")
    monkeypatch.setattr("dirproof.commands.check.run_in_order", never)
    monkeypatch.setattr("dirproof.review.gather", never)
    monkeypatch.setattr("dirproof.conform.report.judge", never, raising=False)
    import dirproof.bfs.search  # noqa: F401  (the package re-exports the function under the module's name)
    monkeypatch.setattr(sys.modules["dirproof.bfs.search"], "search", never)
    monkeypatch.setattr("dirproof.parametric.induction.prove", never)


def test_every_bad_input_is_one_line_and_exit_2(tmp_path, no_long_work):
    bad = {}
    for args in corpus(tmp_path):
        res = runner.invoke(app, args)
        if problems(res):
            bad[" ".join(args)] = problems(res)
    assert not bad, bad


def test_the_corpus_catches_missing_handling(tmp_path, no_long_work, monkeypatch):
    """The test above can fail: without the one-line error formatting, the
    output checks and the configuration checks, inputs of the corpus end in
    tracebacks, several lines or the wrong exit."""
    from typer.core import TyperGroup

    import dirproof.config_file as cf
    import dirproof.outputs as outputs
    monkeypatch.setattr(app_module.Group, "main", TyperGroup.main)
    @contextmanager
    def naive(folder, what="--out"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        yield Path(folder)
    monkeypatch.setattr(outputs, "check_folder", lambda *a, **k: None)
    monkeypatch.setattr("dirproof.commands.check.staged_folder", naive)
    monkeypatch.setattr("dirproof.commands.review.staged_folder", naive)
    monkeypatch.setattr("dirproof.commands.review.check_file", lambda *a, **k: None)
    monkeypatch.setattr(cf, "LIMITS", {})
    monkeypatch.setattr(cf, "MAX_DATACENTERS", 10**6)
    found = {" ".join(a) for a in corpus(tmp_path) if problems(runner.invoke(app, a))}
    for args in ("check --examples 0", "check --bogus", "check --engine hypothesis --out /dev/full",
                 "review --out /dev/full"):
        assert args in found, args
    assert any("huge.toml" in a for a in found) and any("many.toml" in a for a in found)


def test_help_is_h_everywhere_and_flags_take_no_value():
    for cmd in (["-h"], ["check", "-h"], ["review", "-h"], ["flaws", "-h"], ["replay", "-h"], ["pg", "run", "-h"],
                ["prove", "-h"], ["conform", "-h"]):
        res = runner.invoke(app, cmd)
        assert res.exit_code == 0 and "Usage:" in res.stdout, cmd
    text = runner.invoke(app, ["check", "-h"]).stdout
    assert "<bool>" not in text and "--json " in text
    assert "WHOLE run" in text and "1..86400" in text and "1..100000" in text and "1..16" in text
    assert "unbounded" not in text


def test_listings_never_cut_an_id():
    res = runner.invoke(app, ["flaws"], env={"COLUMNS": "40"})
    from dirproof.model import FLAWS
    from dirproof.properties import PROPERTIES
    lines = res.stdout.splitlines()
    assert all(f in lines for f in FLAWS) and "…" not in res.stdout
    props = runner.invoke(app, ["properties"], env={"COLUMNS": "40"}).stdout.splitlines()
    assert all(p in props for p in PROPERTIES)
