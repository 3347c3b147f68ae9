"""Output files written whole or not at all, and refused before the work.

`write_text` writes to a temporary file in the target's folder, fsyncs it
and renames it over the target, so an interrupt or a full disk never
leaves half a file. `problem(path)` says in a few words why `path` cannot
be an output file (a folder, a device, a missing or read-only folder), so a
command can refuse it before a long run rather than after.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Optional

from dirproof import interrupt


def problem(path: Path) -> Optional[str]:
    """Why `path` cannot be written as an output file, or None."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        return f"cannot use it ({exc.strerror or exc})"
    if st is not None and stat.S_ISDIR(st.st_mode):
        return "is a folder, not a file"
    if st is not None and not stat.S_ISREG(st.st_mode):
        return "is not a regular file (a device, pipe or socket)"
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        return f"no such folder {folder}"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write in folder {folder} (permission denied)"
    return None


def write_text(path: Path, text: str) -> Path:
    """Write `text` to `path` atomically (temporary file, fsync, rename); OSError on failure.
    The temporary file is known to the interrupt handler, which removes it if
    the process is stopped before the rename (dirproof/interrupt.py)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.",
                               suffix=".tmp")
    interrupt.register_temp(Path(tmp))
    try:
        os.fchmod(fd, _mode(path))  # mkstemp's 0600 would hide the output from others
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        interrupt.forget_temp(Path(tmp))
    return path


def _mode(path: Path) -> int:
    """The mode the file would get from a plain open(): its own, or 0666 less the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
