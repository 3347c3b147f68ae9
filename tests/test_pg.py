"""The PostgreSQL harness: clear refusal without PostgreSQL, and the short
real run (one safe run, one flawed run) judged by dirproof conform.

The real runs need PostgreSQL's server binaries (.ci/run installs Debian's
package) and psycopg (the `test` extra); without them they skip, saying so.
They start four servers on loopback as an unprivileged user and must leave
no server and no temporary directory behind, also when interrupted.
"""

from __future__ import annotations

import glob
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dirproof.cli import app
from dirproof.conform.events import read_log
from dirproof.conform.report import judge
from dirproof.pg.servers import PgMissing, find_bin, require_driver


def _need_pg():
    try:
        find_bin()
        require_driver()
    except PgMissing as exc:
        pytest.skip(f"PostgreSQL cannot be used here: {exc}")


def _servers_in(roots) -> list[str]:
    """Server processes (not zombies) whose data directory is under `roots`."""
    out = subprocess.run(["ps", "-eo", "stat=,args="], capture_output=True, text=True).stdout
    return [ln for ln in out.splitlines() if not ln.startswith("Z") and any(f"{r}/" in ln for r in roots)]


def test_missing_postgresql_is_one_line_and_exit_2(monkeypatch):
    monkeypatch.setenv("DIRPROOF_PG_BIN", "/nonexistent")
    res = CliRunner().invoke(app, ["pg", "run"])
    assert res.exit_code == 2
    assert res.output.strip().count("\n") == 0
    assert "apt-get install -y postgresql" in res.output


def test_unknown_configuration_is_refused():
    res = CliRunner().invoke(app, ["pg", "run", "--config", "fast-and-loose"])
    assert res.exit_code == 2 and "unknown configuration 'fast-and-loose'" in res.output


def test_the_default_check_never_needs_postgresql():
    code = ("import sys, dirproof.cli; from dirproof.commands import check; "
            "bad = [m for m in sys.modules if m.startswith(('psycopg', 'dirproof.pg'))]; "
            "print(bad); sys.exit(1 if bad else 0)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def _run(tmp_path: Path, config: str, seed: int, ops: int) -> tuple:
    from dirproof.pg.harness import run_once
    from dirproof.pg.workload import Plan
    path = tmp_path / f"{config}-{seed}.jsonl"
    out = run_once(config, Plan(ops=ops, kills=1, stops=1, seed=seed, stop_for=8), path)
    assert not _servers_in([out.root]), "a server outlived its run"
    assert not out.root.exists(), "the temporary directory was left behind"
    log = read_log(path)
    return log, judge(log)


def test_short_real_run_safe_holds_and_a_flawed_one_breaks(tmp_path):
    _need_pg()
    log, v = _run(tmp_path, "safe", 1, 30)
    kinds = {ln.event for ln in log.lines}
    assert {"crash", "promote", "recover", "rejoin", "ack", "read-ok"} <= kinds  # the faults really happened
    assert v.violated == [], [f.message for f in v.violated]
    assert not v.behaviour_failed, v.behaviour
    # reads at a standby that do not wait for the token: the stale read shows
    for seed in range(3):
        log, v = _run(tmp_path, "read-no-wait", seed, 40)
        if v.violated:
            break
    assert "read-your-writes" in {f.property for f in v.violated}


def test_ctrl_c_stops_every_server(tmp_path):
    _need_pg()
    out = tmp_path / "int.jsonl"
    before = set(glob.glob("/tmp/dirproof-pg-*"))
    proc = subprocess.Popen([sys.executable, "-m", "dirproof.cli", "pg", "run", "--ops", "400", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (out.exists() and out.read_text().count("\n") > 20):
        time.sleep(0.2)
    roots = set(glob.glob("/tmp/dirproof-pg-*")) - before  # this run's directory
    assert _servers_in(roots), "the servers never started"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted; every server was stopped" in err
    time.sleep(0.5)
    assert not _servers_in(roots)
    assert not any(os.path.exists(r) for r in roots)
    read_log(out)  # the partial log is still a valid log
