"""Every benchmark script still starts: its imports and options are current
(a benchmark is run by hand, so nothing else notices when the code it
measures moves). Figures are never asserted here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def starts(script: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("script", sorted(BENCH.glob("*.py")), ids=lambda p: p.name)
def test_the_benchmark_starts(script):
    done = starts(script)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_stale_import_is_caught(tmp_path):
    broken = tmp_path / "stale.py"
    broken.write_text("from dirproof.proofs.forms import NO_SUCH_NAME\n")
    assert starts(broken).returncode != 0
