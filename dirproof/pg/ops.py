"""One write and one read of the harness, logged as client events.

A write runs at the primary in one transaction: the directory operation and
a journal row with the write's id; its position is (timeline, WAL insert
LSN right after COMMIT returned), an upper bound of its commit record. A
COMMIT still waiting for the synchronous standby after the write timeout is
cancelled; it then returns with PostgreSQL's warning that the wait was
cancelled and the transaction committed locally only: the harness logs it
as unknown, never as acknowledged (a client that took it for an ack would
be acknowledging before the second copy). A read returns the
journal's ids, with the position replayed before it ran (a lower bound of
its snapshot): at a standby pg_last_wal_replay_lsn(), at the primary the WAL
insert LSN.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Optional

from .cluster import Cluster

if TYPE_CHECKING:  # the run drives these operations; they only read and log through it
    from .workload import Run

WRITE_TIMEOUT_MS = 1500
READ_WAIT_S = 2.0
SYNC_CANCELLED = "canceling wait for synchronous replication"


class Session:
    """A client session: its standby, token and open connections."""

    def __init__(self, name: str, replica: str):
        self.name, self.replica = name, replica
        self.token = (0, 0)
        self.conns: dict = {}

    def conn(self, cluster: Cluster, server: str, autocommit: bool):
        c = self.conns.get((server, autocommit))
        if c is None or c.closed:
            c = self.conns[(server, autocommit)] = cluster.connect(server, autocommit=autocommit)
            if not autocommit:
                c.execute(f"SET statement_timeout = {WRITE_TIMEOUT_MS}")
                c.commit()
        return c

    def drop(self, server: str) -> None:
        for key in [k for k in self.conns if k[0] == server]:
            try:
                self.conns.pop(key).close()
            except Exception:  # noqa: BLE001 (a dead connection)
                pass

    def close(self) -> None:
        for server in {k[0] for k in self.conns}:
            self.drop(server)


def write(run: Run, s: Session) -> None:
    run.wid += 1
    wid = f"w{run.wid}"
    op, sql, args = run._op()
    primary = run.c.primary
    run.log(event="invoke-write", id=wid, session=s.name, op=op, replica=primary)
    run.log.counts["writes"] += 1
    try:
        conn = s.conn(run.c, primary, autocommit=False)
    except Exception as exc:  # noqa: BLE001 (the primary is unreachable)
        run.log(event="write-failed", id=wid, reason=f"unavailable: {_short(exc)}")
        return
    notices: list[str] = []
    conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
    try:
        with conn.cursor() as cur:
            cur.execute(sql, args)
            changed = cur.rowcount
            cur.execute("INSERT INTO journal VALUES (%s)", (wid,))
        if changed != 1:
            conn.rollback()
            run.log(event="write-failed", id=wid, reason=f"refused: {op['op']} changed {changed} rows")
            return
    except Exception as exc:  # noqa: BLE001 (nothing was committed)
        s.drop(primary)
        run.log(event="write-failed", id=wid, reason=_short(exc))
        return
    # statement_timeout is off during COMMIT, so a COMMIT waiting for the
    # synchronous standby is cancelled from here after the write timeout.
    timer = threading.Timer(WRITE_TIMEOUT_MS / 1000, _cancel, (conn,))
    timer.start()
    try:
        conn.commit()
    except Exception as exc:  # noqa: BLE001 (the commit may or may not have happened)
        s.drop(primary)
        run.log(event="write-unknown", id=wid, reason=_short(exc))
        return
    finally:
        timer.cancel()
    if any(SYNC_CANCELLED in n for n in notices):
        run.log(event="write-unknown", id=wid, reason="committed locally only: " + notices[-1])
        return
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_current_wal_insert_lsn() - '0/0', "
                        "('x' || substr(pg_walfile_name(pg_current_wal_insert_lsn()), 1, 8))::bit(32)::int")
            lsn, tl = cur.fetchone()
        conn.commit()
    except Exception as exc:  # noqa: BLE001 (acknowledged, but no position)
        s.drop(primary)
        run.log(event="write-unknown", id=wid, reason=f"committed, position unknown: {_short(exc)}")
        return
    run.log(event="ack", id=wid, epoch=int(tl), lsn=int(lsn), replica=primary)
    run.log.counts["acked"] += 1
    s.token = max(s.token, (int(tl), int(lsn)), key=lambda t: t[1])
    if op["op"] == "create":
        run.objects.append(op["obj"])


def read(run: Run, s: Session, at: Optional[str] = None) -> None:
    run.rid += 1
    rid = f"r{run.rid}"
    server = at or s.replica
    tok_e, tok_l = s.token
    run.log(event="invoke-read", id=rid, session=s.name, replica=server, token={"epoch": tok_e, "lsn": tok_l})
    run.log.counts["reads"] += 1
    try:
        conn = s.conn(run.c, server, autocommit=True)
        with conn.cursor() as cur:
            pos = _wait(cur, tok_l, run.k.read_waits and server != run.c.primary)
            if pos is None:
                run.log(event="read-failed", id=rid, reason=f"replay did not reach the token within {READ_WAIT_S} s")
                return
            cur.execute("SELECT coalesce(array_agg(wid), '{}') FROM journal")
            seen = cur.fetchone()[0]
            epoch = _timeline(cur)
    except Exception as exc:  # noqa: BLE001 (the replica is unreachable)
        s.drop(server)
        run.log(event="read-failed", id=rid, reason=_short(exc))
        return
    run.log(event="read-ok", id=rid, epoch=epoch, lsn=pos, seen=sorted(seen, key=lambda w: int(w[1:])))
    if pos > s.token[1]:
        s.token = (epoch, pos)


def _wait(cur, lsn: int, wait: bool) -> Optional[int]:
    """The replayed position, once it covers `lsn` (or at once)."""
    deadline = time.monotonic() + READ_WAIT_S
    while True:
        cur.execute("SELECT coalesce(pg_last_wal_replay_lsn(), pg_current_wal_insert_lsn()) - '0/0'")
        pos = int(cur.fetchone()[0])
        if pos >= lsn or not wait:
            return pos
        if time.monotonic() > deadline:
            return None
        time.sleep(0.01)


def _timeline(cur) -> int:
    cur.execute("SELECT CASE WHEN pg_is_in_recovery() THEN (SELECT received_tli FROM pg_stat_wal_receiver) "
                "ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END, "
                "(SELECT timeline_id FROM pg_control_checkpoint())")
    a, b = cur.fetchone()
    return int(a or b)


def _cancel(conn) -> None:
    try:
        conn.cancel()
    except Exception:  # noqa: BLE001 (the connection is gone: nothing to cancel)
        pass


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__
