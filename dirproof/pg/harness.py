"""Run the harness once: servers up, workload and faults, log written, all
servers gone (also on Ctrl-C)."""

from __future__ import annotations

import time
from pathlib import Path

import attrs

from .cluster import CONFIGS
from .servers import Servers, require_driver
from .workload import Plan, Recorder, Run


@attrs.frozen
class Outcome:
    log: Path
    root: Path  # the temporary directory the servers lived in (gone now)
    config: str
    seconds: float
    counts: dict


def run_once(config: str, plan: Plan, log_path: Path) -> Outcome:
    """One run of `config` with `plan`; the event log goes to `log_path`."""
    require_driver()
    knobs = CONFIGS[config]
    start = time.monotonic()
    rec = Recorder(log_path)
    try:
        with Servers() as servers:
            root = servers.root
            run = Run(servers, knobs, plan, rec)
            run.run()
    finally:
        rec.close()
    return Outcome(log_path, root, config, round(time.monotonic() - start, 1), dict(rec.counts))
