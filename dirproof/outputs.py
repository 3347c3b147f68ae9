"""Output paths: checked before the long work starts, written to a temporary
place and renamed at the end, so that a refused path fails in a second and an
interrupted run leaves no partial file behind (dirproof/interrupt.py).

`OutputError` carries the one-line reason; the commands print it and exit 2.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from dirproof import atomic, interrupt


class OutputError(ValueError):
    """An output path that cannot be written: a file where a folder is wanted,
    a device, a folder without write permission, a missing parent."""


def _existing_ancestor(path: Path) -> Path:
    p = path
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def _writable_folder(folder: Path, what: str) -> None:
    if not folder.is_dir():
        raise OutputError(f"{what} {folder}: not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{what} {folder}: no permission to write there")


def check_folder(folder: Path, what: str = "--out") -> None:
    """`folder` exists as a writable folder or can be created (its nearest existing ancestor is one)."""
    folder = Path(folder).absolute()
    if folder.exists():
        _writable_folder(folder, what)
        return
    top = _existing_ancestor(folder)
    if not top.is_dir():
        raise OutputError(f"{what} {folder}: {top} is not a folder")
    _writable_folder(top, what)


def check_file(path: Path, what: str = "--out") -> None:
    """`path` can be written as a regular file: not a folder, not a device, its folder writable."""
    path = Path(path).absolute()
    if path.exists() and not path.is_file():
        raise OutputError(f"{what} {path}: not a regular file")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"{what} {path}: no permission to write it")
    check_folder(path.parent, what)


@contextmanager
def staged_folder(folder: Path, what: str = "--out") -> Iterator[Path]:
    """A temporary folder inside `folder` (created if needed) whose files move
    into `folder` with `publish`; on an error or an interrupt it is removed
    (and `folder` too, if this run created it and it stayed empty)."""
    folder = Path(folder).absolute()
    check_folder(folder, what)
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(dir=folder, prefix=".dirproof-run-"))
    except OSError as exc:
        raise OutputError(f"{what} {folder}: cannot write there ({exc.strerror or exc})") from None
    interrupt.register_temp(stage)
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        interrupt.forget_temp(stage)
        if created and folder.exists() and not any(folder.iterdir()):
            folder.rmdir()


def publish(stage: Path, folder: Path) -> dict[str, str]:
    """Move every file of `stage` into `folder` (atomic renames); {old path: new path}."""
    moved = {}
    for f in sorted(Path(stage).rglob("*")):
        if f.is_file():
            dest = Path(folder).absolute() / f.relative_to(stage)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(f, dest)
            moved[str(f)] = str(dest)
    return moved


def write_text(path: Path, text: str) -> Path:
    """Write `text` to `path` atomically: a temporary file beside it, then a rename."""
    return atomic.write_text(Path(path).absolute(), text)
