"""The log forms of the history properties (design.md §4, items 1-5).

Each form reads a parsed event log and returns the first `Finding` that
breaks the property, or None. A finding names the log lines that show it.
The forms encode the model's predicates (properties/durability.py,
properties/sessions.py) over what a log can show; tests/test_conform_agreement.py
runs them on logs exported from the model's own walks and checks that they
agree with the model's verdicts. Where a form must differ from the model's
predicate because a real client sees less, the difference depends on the
header's `observer` and is written down in docs/conformance.md (Log forms):

* observer `system` (the system logged its own steps as it took them): the
  forms are the model's predicates, including what needs replica state
  (held in two regions when acknowledged, from caught-up events; the new
  epoch's history lacking an acknowledged position, from promote events)
  and the strict no-read-of-lost-write (a read returns only writes already
  acknowledged).
* observer `client` (what clients and a harness saw): an ack is when the
  client got it, so a read may legitimately see a write still in flight or
  one whose acknowledgement was lost; such a read is a violation only once
  the write is shown lost (a later read at a position at least as far lacks
  it) or was refused. Replica state is sampled, never complete, so the
  two-regions clause is not judged.
"""

from __future__ import annotations

from typing import Callable, Iterator, Optional

import attrs

from .events import Line, Log, Read, Write


@attrs.frozen
class Finding:
    """A property broken in a log: its id, one sentence, the lines that show it."""

    property: str
    message: str
    lines: tuple[int, ...]


def _acked(log: Log) -> Iterator[Write]:
    """Acknowledged writes in the order of their ack lines."""
    ws = [w for w in log.writes.values() if w.acked]
    return iter(sorted(ws, key=lambda w: w.end.no))


def _ok_reads(log: Log) -> list[Read]:
    """Reads that returned, in the order of their read-ok lines."""
    return sorted((r for r in log.reads.values() if r.ok), key=lambda r: r.end.no)


def _seen(r: Read) -> frozenset:
    return r.seen


def _pos(ln: Line) -> str:
    return f"({ln.get('epoch')},{ln.get('lsn')})"


def _who(r: Read) -> str:
    s, lg = r.key
    return f"read {r.id} of session {s} (logical #{lg}) at {r.invoke.get('replica')}"


# --------------------------------------------------------------------------- no-acked-write-lost

def _regions_at_ack(log: Log) -> Optional[Finding]:
    """System observer: when acknowledged, the write was held in two regions
    (the acknowledging replica, and every replica whose last caught-up
    position reached the ack's LSN)."""
    held: dict[str, int] = {}
    for ln in log.lines:
        if ln.event == "caught-up":
            held[ln.get("replica")] = ln.get("lsn")
        elif ln.event == "ack":
            w = log.writes[ln.get("id")]
            who = {r for r, lsn in held.items() if lsn >= ln.get("lsn")}
            if ln.get("replica"):
                who.add(ln.get("replica"))
            regions = sorted({log.region(r) for r in who})
            if len(regions) < 2:
                return Finding("no-acked-write-lost",
                               f"write {w.id} acknowledged at {_pos(ln)} was held only in region(s) "
                               f"{', '.join(regions) or 'none'} when acknowledged",
                               (w.invoke.no, ln.no))
    return None


def _lost_at_promote(log: Log) -> Optional[Finding]:
    """System observer: a new epoch whose history branches off before an
    acknowledged position does not hold that write."""
    acked: list[Write] = []
    for ln in log.lines:
        if ln.event == "ack":
            acked.append(log.writes[ln.get("id")])
        elif ln.event == "promote" and ln.get("lsn") is not None:
            for w in acked:
                if w.end.get("lsn") > ln.get("lsn"):
                    return Finding("no-acked-write-lost",
                                   f"write {w.id} acknowledged at {_pos(w.end)} is not in the history of "
                                   f"epoch {ln.get('epoch')}: {ln.get('replica')} was promoted with its log "
                                   f"ending at LSN {ln.get('lsn')}", (w.invoke.no, w.end.no, ln.no))
    return None


def _covers(read: Line, ack: Line) -> bool:
    """The read's position is at or past the ack's in one history: epochs
    never decrease along a history, so a later position has an epoch and an
    LSN at least the ack's."""
    return read.get("epoch") >= ack.get("epoch") and read.get("lsn") >= ack.get("lsn")


def _forked(read: Line, ack: Line) -> bool:
    """The read's position is past the ack's LSN but in an older epoch: it
    comes from a history that branched off before the acknowledged one."""
    return read.get("epoch") < ack.get("epoch") and read.get("lsn") >= ack.get("lsn")


def _missing_from_read(log: Log, near) -> Optional[tuple[Write, Read]]:
    reads = _ok_reads(log)
    for w in _acked(log):
        ack = w.end
        for r in reads:
            if r.invoke.no > ack.no and near(r.end, ack) and w.id not in _seen(r):
                return w, r
    return None


def _lost_in_read(log: Log) -> Optional[Finding]:
    """Any observer: a read invoked after the ack, at a position at or past
    the ack's, must return the write."""
    got = _missing_from_read(log, _covers)
    if got is None:
        return None
    w, r = got
    return Finding("no-acked-write-lost",
                   f"write {w.id} acknowledged at {_pos(w.end)} is missing from {_who(r)}, "
                   f"which reflects position {_pos(r.end)}, at or past it",
                   (w.invoke.no, w.end.no, r.invoke.no, r.end.no))


def no_acked_write_lost(log: Log) -> Optional[Finding]:
    """§4.1: every acknowledged write was held in two regions when
    acknowledged and stays in every later history."""
    checks = [_lost_in_read]
    if log.observer == "system":
        checks = [_regions_at_ack, _lost_at_promote] + checks
    return _first(log, checks)


# --------------------------------------------------------------------------- one-history

def _fork_in_read(log: Log) -> Optional[Finding]:
    got = _missing_from_read(log, _forked)
    if got is None:
        return None
    w, r = got
    return Finding("one-history",
                   f"{_who(r)} reflects position {_pos(r.end)}, past LSN {w.end.get('lsn')} but in an "
                   f"older epoch, without write {w.id} acknowledged at {_pos(w.end)}: the replica serves a "
                   "history that branched off the acknowledged one",
                   (w.invoke.no, w.end.no, r.invoke.no, r.end.no))


def one_history(log: Log) -> Optional[Finding]:
    """§4.2: no two different writes acknowledged at one position, at most
    one replica acknowledges in an epoch, and no read serves a history that
    branched off an acknowledged one."""
    return _first(log, [_acks_agree, _fork_in_read])


def _acks_agree(log: Log) -> Optional[Finding]:
    at_lsn: dict[int, Write] = {}
    ackers: dict[int, tuple[str, Line]] = {}
    for w in _acked(log):
        ack = w.end
        prior = at_lsn.setdefault(ack.get("lsn"), w)
        if prior.id != w.id:
            return Finding("one-history",
                           f"two different writes were acknowledged at LSN {ack.get('lsn')}: {prior.id} "
                           f"at {_pos(prior.end)} and {w.id} at {_pos(ack)}",
                           (prior.end.no, ack.no))
        who = ack.get("replica")
        if who is None:
            continue
        epoch = ack.get("by_epoch", ack.get("epoch"))
        first = ackers.setdefault(epoch, (who, ack))
        if first[0] != who:
            return Finding("one-history",
                           f"two replicas acknowledged in epoch {epoch}: {first[0]} (write "
                           f"{first[1].get('id')}) and {who} (write {w.id})", (first[1].no, ack.no))
    return None


# --------------------------------------------------------------------------- sessions

def read_your_writes(log: Log) -> Optional[Finding]:
    """§4.3: a read returns every write its logical session had acknowledged
    before the read was invoked."""
    for r in _ok_reads(log):
        seen = _seen(r)
        for w in _acked(log):
            if w.key == r.key and w.end.no < r.invoke.no and w.id not in seen:
                return Finding("read-your-writes",
                               f"{_who(r)} returned position {_pos(r.end)} without the session's own "
                               f"write {w.id}, acknowledged at {_pos(w.end)} before the read",
                               (w.invoke.no, w.end.no, r.invoke.no, r.end.no))
    return None


def monotonic_reads(log: Log) -> Optional[Finding]:
    """§4.4: within a logical session, reads never go back in LSN."""
    last: dict[tuple, Read] = {}
    for r in _ok_reads(log):
        prior = last.get(r.key)
        if prior is not None and r.end.get("lsn") < prior.end.get("lsn"):
            return Finding("monotonic-reads",
                           f"{_who(r)} reflects LSN {r.end.get('lsn')} after read {prior.id} of the same "
                           f"logical session had reflected LSN {prior.end.get('lsn')}",
                           (prior.end.no, r.invoke.no, r.end.no))
        if prior is None or r.end.get("lsn") > prior.end.get("lsn"):
            last[r.key] = r
    return None


def _unwritten(log: Log, r: Read, wid: str) -> Optional[Finding]:
    w = log.writes.get(wid)
    if w is None:
        return Finding("no-read-of-lost-write", f"{_who(r)} returned {wid}, which no client wrote",
                       (r.invoke.no, r.end.no))
    if w.outcome is not None and w.end.event == "write-failed":
        return Finding("no-read-of-lost-write",
                       f"{_who(r)} returned write {wid}, which failed (was not applied)",
                       (w.invoke.no, w.end.no, r.end.no))
    return None


def _strict_unacked(log: Log, r: Read, wid: str) -> Optional[Finding]:
    w = log.writes[wid]
    if not w.acked or w.end.no > r.end.no:
        return Finding("no-read-of-lost-write",
                       f"{_who(r)} returned write {wid}, which had not been acknowledged",
                       (w.invoke.no, r.invoke.no, r.end.no))
    return None


def _shown_lost(log: Log, reads: list[Read], r: Read, wid: str) -> Optional[Finding]:
    w = log.writes[wid]
    if w.acked:
        return None  # an acknowledged write that goes missing is no-acked-write-lost's
    for later in reads:
        if later.invoke.no > r.end.no and later.end.get("lsn") >= r.end.get("lsn") \
                and wid not in _seen(later):
            return Finding("no-read-of-lost-write",
                           f"{_who(r)} returned write {wid}, never acknowledged, which is missing from "
                           f"{_who(later)} at position {_pos(later.end)}, past {_pos(r.end)}: "
                           "the read returned a write that was then lost",
                           (w.invoke.no, r.end.no, later.invoke.no, later.end.no))
    return None


def no_read_of_lost_write(log: Log) -> Optional[Finding]:
    """§4.5: a read returns only acknowledged data (observer `system`), or,
    as a client can judge it, never a write that failed or was then lost."""
    reads = _ok_reads(log)
    for r in reads:
        for wid in r.end.get("seen"):
            found = _unwritten(log, r, wid)
            if found is None:
                found = (_strict_unacked(log, r, wid) if log.observer == "system"
                         else _shown_lost(log, reads, r, wid))
            if found is not None:
                return found
    return None


def _first(log: Log, checks) -> Optional[Finding]:
    found = [f for f in (c(log) for c in checks) if f is not None]
    return min(found, key=lambda f: max(f.lines)) if found else None


FORMS: dict[str, Callable[[Log], Optional[Finding]]] = {
    "no-acked-write-lost": no_acked_write_lost,
    "one-history": one_history,
    "read-your-writes": read_your_writes,
    "monotonic-reads": monotonic_reads,
    "no-read-of-lost-write": no_read_of_lost_write,
}


def judged(log: Log) -> tuple[str, ...]:
    """The properties a log can be judged on: one-history needs acks that name
    the acknowledging replica (a protocol fact), or protocol events."""
    named = any(w.end.get("replica") for w in log.writes.values() if w.acked)
    return tuple(p for p in FORMS if p != "one-history" or named or log.has_protocol_events)


def in_flight_reads(log: Log) -> list[tuple[str, str]]:
    """(read, write) pairs where a read saw a write before its ack reached the
    client, or one whose outcome stayed unknown: allowed for observer
    `client`, reported as a note (PostgreSQL's standbys apply WAL before the
    primary's client is told)."""
    out = []
    for r in _ok_reads(log):
        for wid in r.end.get("seen"):
            w = log.writes.get(wid)
            if w is not None and (not w.acked or w.end.no > r.end.no) and \
                    not (w.outcome is not None and w.end.event == "write-failed"):
                out.append((r.id, wid))
    return out


def check(log: Log, forms: Optional[dict] = None) -> dict[str, Optional[Finding]]:
    """The verdict of every judged property: its first finding, or None."""
    forms = FORMS if forms is None else forms
    return {p: forms[p](log) for p in judged(log) if p in forms}
