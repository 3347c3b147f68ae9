"""The dirproof event log: format, JSON Schema, parser (docs/conformance.md).

A log is newline-delimited JSON, one event per line, in the order the events
were observed. The first line is a header (`"event": "log"`) that names the
replicas and their regions (design.md §2, Topology). Client-visible events
are a write's invocation and outcome (ack with the position `(epoch, lsn)`
it committed at, failed, or unknown) and a read's invocation (at a replica,
with its session's replica token) and outcome (the writes it saw and the
position it reflects). Protocol events, where the system can log them, are
crash, recover, promote (a new epoch), rejoin and caught-up.

`parse(text)` validates each line against the schema shipped with the
package (events.schema.json) and the cross-line rules (ids known, each write
finished once, replicas named in the header). Any problem is a `LogError`
whose message names the line: bad input, exit status 2.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any, Optional

import attrs
import jsonschema

SCHEMA_FILE = "events.schema.json"
CLIENT_EVENTS = ("invoke-write", "ack", "write-failed", "write-unknown", "invoke-read", "read-ok", "read-failed")
PROTOCOL_EVENTS = ("crash", "recover", "promote", "rejoin", "caught-up", "partition", "heal")
WRITE_OUTCOMES = ("ack", "write-failed", "write-unknown")
READ_OUTCOMES = ("read-ok", "read-failed")


class LogError(ValueError):
    """A log that is not a well-formed dirproof event log (bad input)."""

    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(f"line {line}: {message}")


@attrs.frozen
class Line:
    """One event of the log: its 1-based line number, kind and fields."""

    no: int
    event: str
    data: dict = attrs.field(eq=False, repr=False)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@attrs.frozen
class Write:
    """A client write: where it was invoked and how it ended (None: open)."""

    id: str
    invoke: Line
    outcome: Optional[Line] = None

    @property
    def key(self) -> tuple:
        return session_key(self.invoke)


    @property
    def end(self) -> Line:
        """The outcome line, for a write known to have ended."""
        assert self.outcome is not None, f"{self.id} has not ended"
        return self.outcome

    @property
    def acked(self) -> bool:
        return self.outcome is not None and self.outcome.event == "ack"


@attrs.frozen
class Read:
    """A client read: its invocation and outcome (None: never returned)."""

    id: str
    invoke: Line
    outcome: Optional[Line] = None
    seen: frozenset = attrs.field(default=frozenset(), eq=False, repr=False)

    @property
    def key(self) -> tuple:
        return session_key(self.invoke)


    @property
    def end(self) -> Line:
        """The outcome line, for a read known to have ended."""
        assert self.outcome is not None, f"{self.id} has not ended"
        return self.outcome

    @property
    def ok(self) -> bool:
        return self.outcome is not None and self.outcome.event == "read-ok"


@attrs.frozen
class Log:
    """A parsed event log: header, lines, and the writes and reads by id."""

    header: dict = attrs.field(repr=False)
    lines: tuple[Line, ...]
    writes: dict = attrs.field(repr=False)
    reads: dict = attrs.field(repr=False)

    @property
    def replicas(self) -> tuple[str, ...]:
        return tuple(r["name"] for r in self.header["replicas"])

    def region(self, replica: str) -> str:
        return next(r["region"] for r in self.header["replicas"] if r["name"] == replica)

    @property
    def observer(self) -> str:
        return self.header.get("observer", "client")

    @property
    def has_protocol_events(self) -> bool:
        return any(ln.event in PROTOCOL_EVENTS for ln in self.lines)


def session_key(line: Line) -> tuple:
    """The logical session of an invocation: (client session, logical number)."""
    return (str(line.get("session")), int(line.get("logical", 0)))


@lru_cache(maxsize=1)
def schema() -> dict:
    """The JSON Schema of one log line, shipped as package data."""
    return json.loads(resources.files(__package__).joinpath(SCHEMA_FILE).read_text())


@lru_cache(maxsize=None)
def _validator(kind: str) -> jsonschema.protocols.Validator:
    full = schema()
    sub = {"$defs": full["$defs"], "$ref": f"#/$defs/{kind}"}
    cls = jsonschema.validators.validator_for(full)
    return cls(sub)


def _schema_error(no: int, data: dict) -> None:
    kind = data.get("event")
    if not isinstance(kind, str):
        raise LogError(no, 'no "event" field naming the kind of event')
    name = "header" if kind == "log" else kind
    if name not in schema()["$defs"] or name in ("name", "id", "epoch", "lsn", "t", "reason",
                                                   "session", "logical", "op"):
        known = ", ".join(("log",) + CLIENT_EVENTS + PROTOCOL_EVENTS)
        raise LogError(no, f"unknown event {kind!r}; known events: {known}")
    err = jsonschema.exceptions.best_match(_validator(name).iter_errors(data))
    if err is not None:
        where = "/".join(str(p) for p in err.absolute_path)
        raise LogError(no, f"{kind}: {where + ': ' if where else ''}{err.message}")


def _decode(no: int, text: str, first: bool = False) -> dict:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LogError(no, f"not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise LogError(no, f"not a JSON object but {type(data).__name__}")
    if first and data.get("event") != "log":
        raise LogError(no, 'the first line must be the header {"event": "log", "format": "dirproof-events", ...}')
    _schema_error(no, data)
    return data


def _header(no: int, data: dict) -> dict:
    if data["event"] != "log":
        raise LogError(no, 'the first line must be the header {"event": "log", "format": "dirproof-events", ...}')
    names = [r["name"] for r in data["replicas"]]
    if len(set(names)) != len(names):
        raise LogError(no, "replica names must be distinct")
    for role in ("ap", "pp"):
        who = data.get("roles", {}).get(role)
        if who is not None and who not in names:
            raise LogError(no, f"roles.{role} names {who!r}, which is not a replica of the header")
    return data


class _Builder:
    """Cross-line rules: known replicas and ids, one outcome per operation."""

    def __init__(self, header: dict):
        self.names = {r["name"] for r in header["replicas"]}
        self.writes: dict[str, Write] = {}
        self.reads: dict[str, Read] = {}

    def add(self, ln: Line) -> None:
        for field in ("replica", "pp", "a", "b"):
            who = ln.get(field)
            if who is not None and who not in self.names:
                raise LogError(ln.no, f"{ln.event}: {field} {who!r} is not a replica of the header")
        if ln.event == "invoke-write":
            self._invoke(ln, self.writes, Write, "write")
        elif ln.event in WRITE_OUTCOMES:
            self._finish(ln, self.writes, "write")
        elif ln.event == "invoke-read":
            self._invoke(ln, self.reads, Read, "read")
        elif ln.event in READ_OUTCOMES:
            self._finish(ln, self.reads, "read")

    def _invoke(self, ln: Line, table: dict, cls, what: str) -> None:
        wid = ln.get("id")
        if wid in table:
            raise LogError(ln.no, f"{what} id {wid!r} is already used on line {table[wid].invoke.no}")
        table[wid] = cls(wid, ln)

    def _finish(self, ln: Line, table: dict, what: str) -> None:
        wid = ln.get("id")
        op = table.get(wid)
        if op is None:
            raise LogError(ln.no, f"{ln.event}: no earlier invoke-{what} line has id {wid!r}")
        if op.outcome is not None:
            raise LogError(ln.no, f"{ln.event}: {what} {wid!r} already ended on line {op.outcome.no}")
        extra = {"seen": frozenset(ln.get("seen"))} if ln.event == "read-ok" else {}
        table[wid] = attrs.evolve(op, outcome=ln, **extra)


def parse(text: str) -> Log:
    """Parse a whole log; raise LogError naming the first bad line."""
    header: Optional[dict] = None
    builder: Optional[_Builder] = None
    lines: list[Line] = []
    for no, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        data = _decode(no, raw, first=header is None)
        if header is None:
            header = _header(no, data)
            builder = _Builder(header)
            continue
        if data["event"] == "log":
            raise LogError(no, "a second header line: a log has one header, on its first line")
        ln = Line(no, data["event"], data)
        assert builder is not None
        builder.add(ln)
        lines.append(ln)
    if header is None or builder is None:
        raise LogError(1, "empty log: the first line must be the header")
    return Log(header, tuple(lines), builder.writes, builder.reads)


def read_log(path) -> Log:
    """Parse the log in file `path` (LogError names the line; OSError as is)."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LogError(raw[:exc.start].count(b"\n") + 1, f"not UTF-8 text ({exc.reason})") from None
    return parse(text)


def dumps(events) -> str:
    """A log as text: one compact JSON object per line."""
    return "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in events)
