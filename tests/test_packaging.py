"""A plain `pip install .` gives a working tool (issue 12).

The wheel is built from a copy of the tracked source tree, installed into a
fresh virtual environment (which sees the already installed dependencies but
not this checkout), and its `dirproof` command is run there: help, and a
check that must find the seeded flaw. The wheel must carry every module of
the package (tests/layout.py lists them from the source).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import layout

ROOT = layout.ROOT


def missing_from(wheel_names: set[str], modules: dict[str, Path]) -> list[str]:
    """Modules of the source tree the wheel does not carry."""
    def path_in_wheel(name: str, src: Path) -> str:
        parts = name.split(".")
        return "/".join(parts + ["__init__.py"]) if src.name == "__init__.py" else "/".join(parts) + ".py"
    return sorted(m for m, p in modules.items() if path_in_wheel(m, p) not in wheel_names)


def test_the_completeness_check_names_a_module_left_out():
    mods = {"dirproof": Path("dirproof/__init__.py"), "dirproof.model.next": Path("model/next.py")}
    assert missing_from({"dirproof/__init__.py"}, mods) == ["dirproof.model.next"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the wheel of this source tree installed; its bin/."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    tracked = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, text=True,
                             capture_output=True, check=True).stdout.split()
    for rel in tracked:
        if (ROOT / rel).is_file():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, src / rel)
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps",
                    "-q", "-w", str(tmp / "dist")], check=True, capture_output=True)
    wheel = next((tmp / "dist").glob("dirproof-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert missing_from(names, layout.modules()) == []
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(tmp / "venv")], check=True)
    bin_ = tmp / "venv" / "bin"
    subprocess.run([bin_ / "python", "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)],
                   check=True, capture_output=True)
    return bin_


def test_the_installed_package_is_the_wheel_not_this_checkout(installed):
    where = subprocess.run([installed / "python", "-c", "import dirproof.model, dirproof.properties, "
                            "dirproof.commands; print(dirproof.model.__file__)"],
                           cwd=installed.parent, text=True, capture_output=True, check=True).stdout
    assert str(installed.parent) in where and str(ROOT) not in where


def test_the_installed_command_answers_help_and_finds_a_flaw(installed, tmp_path):
    helped = subprocess.run([installed / "dirproof", "--help"], text=True, capture_output=True, cwd=tmp_path)
    assert helped.returncode == 0 and "check" in helped.stdout
    run = subprocess.run([installed / "dirproof", "check", "--engine", "hypothesis", "--flaw", "ack-before-sync",
                          "--json", "--seed", "1", "--out", str(tmp_path / "cx")],
                         text=True, capture_output=True, cwd=tmp_path, timeout=300)
    assert run.returncode == 1, run.stderr
    assert "no-acked-write-lost" in run.stdout and "violated" in run.stdout
    assert list((tmp_path / "cx").glob("*.json"))
