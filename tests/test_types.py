"""mypy over the whole package, clean (issue 12).

The source tree is laid out as it installs (model/ is dirproof.model,
properties/ is dirproof.properties) with symbolic links in a temporary
folder, so mypy sees the package a user imports; settings are pyproject.toml's.
"""

from __future__ import annotations

import subprocess
import sys

import layout


def _tree(tmp) -> None:
    pkg = tmp / "dirproof"
    pkg.mkdir()
    for p in (layout.ROOT / "dirproof").iterdir():
        (pkg / p.name).symlink_to(p)
    (pkg / "model").symlink_to(layout.ROOT / "model")
    (pkg / "properties").symlink_to(layout.ROOT / "properties")


def mypy(tmp) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(layout.ROOT / "pyproject.toml"),
                           "--cache-dir", str(tmp / ".mypy_cache"), "-p", "dirproof"],
                          cwd=tmp, text=True, capture_output=True, timeout=600)


def test_the_package_type_checks(tmp_path):
    _tree(tmp_path)
    done = mypy(tmp_path)
    assert done.returncode == 0, done.stdout[-5000:]


def test_mypy_here_reports_a_planted_type_error(tmp_path):
    pkg = tmp_path / "dirproof"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("x: int = 'not an int'\n")
    done = mypy(tmp_path)
    assert done.returncode == 1 and "Incompatible types in assignment" in done.stdout
