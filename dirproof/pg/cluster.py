"""A PostgreSQL partition shaped like design.md §2, and its failover.

Four servers on loopback: a1 (region A) is the primary (the AP), b1 (region
B) its synchronous standby (the PP, the copy in another region), a2 and b2
asynchronous standbys (secondaries). The timeline is the epoch; the WAL LSN
is the position and the replica token. The orchestrator is this harness: on
the loss of the primary it promotes the PP with pg_promote(), names a new
synchronous standby in the other region, and repoints the other standbys;
an old primary or a standby that cannot follow the new timeline rejoins by
pg_rewind, or by a fresh base backup when pg_rewind fails.

`Knobs` choose the real configuration: the safe one, or one that mirrors a
seeded flaw of design.md §5 (see CONFIGS).
"""

from __future__ import annotations

import random
import time
from typing import Callable, Optional

import attrs

from .servers import PgError, Servers

NAMES = ("a1", "a2", "b1", "b2")
REGION = {"a1": "A", "a2": "A", "b1": "B", "b2": "B"}


@attrs.frozen
class Knobs:
    """One real configuration. `mirrors`: the dirproof flaw it stands for."""

    name: str
    mirrors: tuple[str, ...] = ()
    synchronous_commit: str = "remote_apply"  # what a commit waits for
    sync_standby: bool = True  # synchronous_standby_names names the PP
    cascade: bool = True  # secondaries stream from the PP (only what the second copy holds)
    promote: str = "pp"  # "pp": the synchronous standby; "async": an asynchronous one
    read_waits: bool = True  # a read at a standby waits until replay covers the token
    what: str = ""


CONFIGS: dict[str, Knobs] = {k.name: k for k in (
    Knobs("safe", what="synchronous_commit = remote_apply with the PP as synchronous standby; secondaries "
                       "cascade from the PP; failover promotes the PP; reads wait for the token"),
    Knobs("sync-commit-local", ("ack-before-sync",), synchronous_commit="local",
          what="synchronous_commit = local: a commit is acknowledged before the second copy has it"),
    Knobs("no-sync-standby", ("ack-before-sync",), sync_standby=False,
          what="synchronous_standby_names empty: no synchronous standby at all"),
    Knobs("promote-async", ("promote-any-secondary",), promote="async", cascade=False,
          what="failover promotes an asynchronous standby (streaming from the primary, as in a default "
               "setup) instead of the synchronous one"),
    Knobs("read-no-wait", ("read-ignores-token",), read_waits=False,
          what="a read at a standby does not wait for pg_last_wal_replay_lsn() to cover the token"),
    Knobs("stream-from-primary", ("ship-unacked",), cascade=False,
          what="secondaries stream from the primary, so they hold WAL the second copy does not have yet"),
)}


def _q(conn, sql: str, *args):
    with conn.cursor() as cur:
        cur.execute(sql, args or None)
        return cur.fetchone() if cur.description else None


class Cluster:
    """The servers of one run and who is primary, PP and secondary."""

    def __init__(self, servers: Servers, knobs: Knobs, say: Callable[..., None]):
        self.s, self.k, self.say = servers, knobs, say
        self.primary, self.pp = "a1", "b1"
        self.down: set[str] = set()
        self.epoch = 1

    # ------------------------------------------------------------------ connections
    def connect(self, name: str, timeout: float = 2.0, autocommit: bool = True):
        import psycopg
        return psycopg.connect(self.s.conninfo(name).replace("connect_timeout=2", f"connect_timeout={int(timeout)}"),
                               autocommit=autocommit)

    def sql(self, name: str, query: str, *args):
        with self.connect(name) as c:
            return _q(c, query, *args)

    # ------------------------------------------------------------------ configuration
    def upstream(self, name: str) -> str:
        """Where a standby streams from: the PP streams from the primary; the
        secondaries from the PP (cascade) or from the primary."""
        if name == self.pp or not self.k.cascade:
            return self.primary
        return self.pp

    def setup(self) -> None:
        s = self.s
        s.init_primary("a1", f"synchronous_commit = '{self.k.synchronous_commit}'\n")
        s.start("a1")
        self.sql("a1", "CREATE TABLE objects (id int PRIMARY KEY, attrs int[] NOT NULL)")
        self.sql("a1", "CREATE TABLE journal (wid text PRIMARY KEY)")
        s.base_backup("b1", "a1", self.upstream("b1"))
        for name in ("a2", "b2"):
            s.copy_backup(name, "b1", self.upstream(name))
        for name in ("b1", "a2", "b2"):
            s.start(name)
        self.wait_streaming(("b1", "a2", "b2"), 30)
        self.set_primary_conf()

    def set_primary_conf(self) -> None:
        names = self.pp if self.k.sync_standby else ""
        with self.connect(self.primary) as c:
            _q(c, f"ALTER SYSTEM SET synchronous_standby_names = '{names}'")
            _q(c, f"ALTER SYSTEM SET synchronous_commit = '{self.k.synchronous_commit}'")
            _q(c, "SELECT pg_reload_conf()")

    def repoint(self, name: str) -> None:
        with self.connect(name) as c:
            _q(c, f"ALTER SYSTEM SET primary_conninfo = '{self.s.conninfo(self.upstream(name), name)}'")
            _q(c, "SELECT pg_reload_conf()")

    # ------------------------------------------------------------------ positions
    def timeline(self, name: str) -> int:
        """The server's timeline: the epoch its WAL is on."""
        row = self.sql(name, "SELECT CASE WHEN pg_is_in_recovery() THEN "
                             "(SELECT received_tli FROM pg_stat_wal_receiver) ELSE "
                             "('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END, "
                             "(SELECT timeline_id FROM pg_control_checkpoint())")
        return int(row[0] or row[1])

    def replay_lsn(self, name: str) -> int:
        row = self.sql(name, "SELECT coalesce(pg_last_wal_replay_lsn(), pg_current_wal_insert_lsn()) - '0/0'")
        return int(row[0])

    def wait_streaming(self, names, seconds: float) -> None:
        """Wait until each standby streams on the current timeline."""
        deadline = time.monotonic() + seconds
        for name in names:
            while True:
                try:
                    row = self.sql(name, "SELECT status, received_tli FROM pg_stat_wal_receiver")
                    if row and row[0] == "streaming" and row[1] == self.epoch:
                        break
                except Exception:  # noqa: BLE001 (still starting)
                    pass
                if time.monotonic() > deadline:
                    raise PgError(f"standby {name} does not stream on timeline {self.epoch} after {seconds:.0f} s")
                time.sleep(0.1)

    # ------------------------------------------------------------------ faults
    def kill_primary(self) -> str:
        name = self.primary
        self.s.kill9(name)
        self.down.add(name)
        return name

    def stop(self, name: str) -> None:
        self.s.stop(name, "fast")
        self.down.add(name)

    def resume(self, name: str) -> None:
        self.s.start(name)
        self.down.discard(name)

    def candidates(self) -> list[str]:
        return [n for n in NAMES if n != self.primary and n not in self.down]

    def choose_new_primary(self, rng: random.Random) -> str:
        """The knob's failover choice: the PP, or an asynchronous standby."""
        if self.k.promote == "pp":
            return self.pp
        return rng.choice([n for n in NAMES if n not in (self.primary, self.pp)])

    def promote(self, new: str, rng: random.Random) -> tuple[int, int, str]:
        """pg_promote() `new`; the new epoch, its branch point, and the new PP."""
        if new in self.down:
            self.resume(new)
        with self.connect(new, timeout=30) as c:
            _q(c, "SELECT pg_promote(true, 60)")
            # pg_rewind reads the source's timeline from its control file,
            # which only a checkpoint after the promotion brings up to date.
            _q(c, "CHECKPOINT")
        old = self.primary
        self.primary, self.epoch = new, self.timeline(new)
        hist = self.sql(new, f"SELECT pg_read_file('pg_wal/{self.epoch:08X}.history')")[0]
        switch = _history_switch(hist)
        others = [n for n in NAMES if n not in (new, old) and REGION[n] != REGION[new] and n not in self.down]
        self.pp = rng.choice(others) if others else next(n for n in NAMES if n not in (new, old))
        self.set_primary_conf()
        return self.epoch, switch, self.pp

    def follow(self, name: str) -> Optional[str]:
        """Make standby `name` follow the current primary; None if it simply
        followed, else how it rejoined (pg_rewind or base backup)."""
        if name in self.down:
            return None
        self.repoint(name)
        try:
            self.wait_streaming((name,), 8)
            return None
        except PgError:
            pass
        self.s.stop(name, "fast")
        return self.rejoin(name)

    def rejoin(self, name: str) -> str:
        """A stopped server rejoins as a standby of the current topology."""
        res = self.s.rewind(name, self.primary)
        how = "pg_rewind"
        if res.returncode != 0:
            why = " ".join((res.stderr or res.stdout).split())[-300:]
            self.s.wipe(name)
            self.s.base_backup(name, self.primary, self.upstream(name))
            how = f"base backup (pg_rewind failed: {why})"
        else:
            self.s.make_standby(name, self.upstream(name))
        self.s.start(name)
        self.down.discard(name)
        return how


def _history_switch(text: str) -> int:
    """The LSN at which the newest timeline branched off (last history line)."""
    rows = [ln.split() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    hi, lo = rows[-1][1].split("/")
    return (int(hi, 16) << 32) | int(lo, 16)
