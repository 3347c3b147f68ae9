"""PostgreSQL servers on loopback for the conformance harness (docs/conformance.md).

Every server runs as an unprivileged user (PostgreSQL refuses to run as
root): the current user, or, when dirproof runs as root, the `postgres`
user of Debian's package or a system user `dirproof-pg` created for it. All
data directories live in one temporary directory; ports are free loopback
ports; `Servers.close()` (also on Ctrl-C, through the context manager)
kills every server it started, by the pid in its postmaster.pid, and
removes the directory.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Optional

INSTALL_HINT = "install it with: apt-get install -y postgresql (or set DIRPROOF_PG_BIN to its bin directory)"
PG_USER = "dirproof"  # the database superuser
HELPER_USER = "dirproof-pg"


class PgMissing(RuntimeError):
    """PostgreSQL's server binaries or the Python driver are not installed."""


class PgError(RuntimeError):
    """A server command failed (its output is in the message)."""


def find_bin() -> Path:
    """The bin directory of the newest PostgreSQL server installed."""
    env = os.environ.get("DIRPROOF_PG_BIN")
    cands = [Path(env)] if env else [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                                                               key=lambda p: int(Path(p).parent.name)
                                                               if Path(p).parent.name.isdigit() else 0,
                                                               reverse=True)]
    if not env and shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        if out.returncode == 0:
            cands.append(Path(out.stdout.strip()))
    for c in cands:
        if all((c / tool).exists() for tool in ("initdb", "pg_ctl", "postgres", "pg_basebackup", "pg_rewind")):
            return c
    raise PgMissing(f"PostgreSQL server binaries (initdb, pg_ctl, pg_rewind) not found; {INSTALL_HINT}")


def require_driver() -> None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise PgMissing("the PostgreSQL driver psycopg is not installed; install it with: "
                        "python -m pip install -e '.[pg]'") from None


def run_user() -> Optional[str]:
    """The unprivileged user to run servers as (None: the current user)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", HELPER_USER):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", HELPER_USER],
                   check=True, capture_output=True)
    return HELPER_USER


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


BASE_CONF = """
listen_addresses = '127.0.0.1'
unix_socket_directories = '{sockets}'
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
wal_keep_size = 256MB
min_wal_size = 4MB
max_wal_size = 64MB
wal_log_hints = on
hot_standby = on
hot_standby_feedback = on
fsync = off
full_page_writes = on
shared_buffers = 16MB
max_connections = 40
autovacuum = off
checkpoint_timeout = 30min
wal_receiver_status_interval = 1s
wal_retrieve_retry_interval = 200ms
log_min_messages = warning
"""


class Servers:
    """The data directories and server processes of one harness run."""

    def __init__(self):
        self.bin = find_bin()
        self.user = run_user()
        self.root = Path(tempfile.mkdtemp(prefix="dirproof-pg-"))
        self.ports: dict[str, int] = {}
        if self.user:
            shutil.chown(self.root, self.user)
        os.chmod(self.root, 0o700)

    # ------------------------------------------------------------------ commands
    def cmd(self, tool: str, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        argv = [str(self.bin / tool), *args]
        if self.user:
            argv = ["runuser", "-u", self.user, "--", *argv]
        res = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=self.root,
                             stdin=subprocess.DEVNULL)
        if check and res.returncode != 0:
            raise PgError(f"{tool} {' '.join(args)} failed: {(res.stderr or res.stdout).strip()[-600:]}")
        return res

    def datadir(self, name: str) -> Path:
        return self.root / name

    def conninfo(self, name: str, app: Optional[str] = None) -> str:
        info = f"host=127.0.0.1 port={self.ports[name]} user={PG_USER} dbname=postgres connect_timeout=2"
        return info + (f" application_name={app}" if app else "")

    def _append(self, name: str, text: str, file: str = "postgresql.conf") -> None:
        path = self.datadir(name) / file
        with open(path, "a") as f:
            f.write(text)

    # ------------------------------------------------------------------ life cycle
    def init_primary(self, name: str, extra: str) -> None:
        self.ports[name] = free_port()
        self.cmd("initdb", "-D", str(self.datadir(name)), "-U", PG_USER, "--auth=trust", "-E", "UTF8",
                 "--no-sync", "--locale=C", "--wal-segsize=1")
        self._append(name, BASE_CONF.format(sockets=self.root) + f"port = {self.ports[name]}\n"
                     f"cluster_name = '{name}'\n" + extra)

    def base_backup(self, name: str, source: str, upstream: str, extra: str = "") -> None:
        """A standby `name` copied from `source`, streaming from `upstream`."""
        self.ports.setdefault(name, free_port())
        d = self.datadir(name)
        if d.exists():
            self.wipe(name)
        self.cmd("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.ports[source]), "-U", PG_USER, "-D", str(d),
                 "-X", "stream", "--no-sync", "-c", "fast")
        self.make_standby(name, upstream, extra)

    def copy_backup(self, name: str, of: str, upstream: str) -> None:
        """A standby made from a copy of another standby's untouched base
        backup (before that one started): as good as a base backup, faster."""
        self.ports.setdefault(name, free_port())
        shutil.copytree(self.datadir(of), self.datadir(name), symlinks=True)
        if self.user:
            subprocess.run(["chown", "-R", self.user, str(self.datadir(name))], check=True)
        self.make_standby(name, upstream)

    def make_standby(self, name: str, upstream: str, extra: str = "") -> None:
        # postgresql.auto.conf is read last: what a base backup or pg_rewind
        # copied from the source (its port, its ALTER SYSTEM settings) loses.
        self._append(name, f"\nport = {self.ports[name]}\ncluster_name = '{name}'\n"
                     f"primary_conninfo = '{self.conninfo(upstream, name)}'\n"
                     "recovery_target_timeline = 'latest'\n" + extra, "postgresql.auto.conf")
        signal_file = self.datadir(name) / "standby.signal"
        signal_file.touch()
        if self.user:
            shutil.chown(signal_file, self.user)

    def wipe(self, name: str) -> None:
        shutil.rmtree(self.datadir(name), ignore_errors=True)

    def start(self, name: str) -> None:
        log = self.root / f"{name}.log"
        try:
            self.cmd("pg_ctl", "-D", str(self.datadir(name)), "-l", str(log), "-w", "-t", "60", "start")
        except PgError as exc:
            tail = " | ".join(log.read_text(errors="replace").splitlines()[-4:]) if log.exists() else ""
            raise PgError(f"{exc}; server log: {tail}") from None

    def stop(self, name: str, mode: str = "fast") -> None:
        self.cmd("pg_ctl", "-D", str(self.datadir(name)), "-m", mode, "-w", "-t", "60", "stop", check=False)

    def pid(self, name: str) -> Optional[int]:
        try:
            return int((self.datadir(name) / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def kill9(self, name: str) -> None:
        """kill -9 of the postmaster and every backend of the server."""
        pid = self.pid(name)
        if pid is None:
            return
        procs = [pid] + self._children(pid)
        for p in procs:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in procs):
            time.sleep(0.05)
        if not any(_alive(p) for p in procs):
            # Dead, perhaps a zombie nobody reaps (a container's init may not):
            # PostgreSQL would take the stale lock file for a live postmaster.
            (self.datadir(name) / "postmaster.pid").unlink(missing_ok=True)
            for f in (f".s.PGSQL.{self.ports[name]}.lock", f".s.PGSQL.{self.ports[name]}"):
                (self.root / f).unlink(missing_ok=True)

    def _children(self, pid: int) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
        return [int(x) for x in out.stdout.split()]

    def rewind(self, name: str, source: str) -> subprocess.CompletedProcess:
        return self.cmd("pg_rewind", "-D", str(self.datadir(name)), "--source-server", self.conninfo(source),
                        check=False, timeout=180)

    def close(self) -> None:
        """Kill every server started here and remove the directory."""
        for name in list(self.ports):
            pid = self.pid(name)
            if pid is not None and _alive(pid):
                self.kill9(name)
        if os.environ.get("DIRPROOF_PG_KEEP"):
            return  # for debugging: the data directories and server logs stay
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "Servers":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return True
