"""The verdict of `dirproof conform` on one log, as data, text and JSON.

A log holds a property when its log form (forms.py) finds nothing; it is a
behaviour of the model when the search (behaviour.py, search.py) explains
every line. Exit status as `dirproof check`: 0 everything judged holds, 1 a
property is violated or the log is not a behaviour of the model, 3 the
behaviour search gave up within its bound (frontier truncated) and nothing
else broke; bad input is 2 (raised before a verdict exists).
"""

from __future__ import annotations

import json
from typing import Optional

import attrs

from . import forms
from .events import Line, Log
from .forms import Finding
from .search import Result


@attrs.frozen
class Verdict:
    log: Log = attrs.field(repr=False)
    findings: dict  # property id -> Finding | None, for the judged properties
    behaviour: Optional[Result] = None  # search.Result, when protocol events were checked
    notes: tuple[str, ...] = ()

    @property
    def violated(self) -> list[Finding]:
        return [f for f in self.findings.values() if f is not None]

    @property
    def behaviour_failed(self) -> bool:
        return self.behaviour is not None and not self.behaviour.ok and not self.behaviour.truncated

    @property
    def inconclusive(self) -> bool:
        return self.behaviour is not None and not self.behaviour.ok and bool(self.behaviour.truncated)

    @property
    def exit_code(self) -> int:
        if self.violated or self.behaviour_failed:
            return 1
        return 3 if self.inconclusive else 0


def judge(log: Log, behaviour: bool = True, depth: Optional[int] = None,
          frontier: Optional[int] = None) -> Verdict:
    """Check the log forms and, when the log has protocol events, its behaviour."""
    from .behaviour import DEFAULT_DEPTH, DEFAULT_FRONTIER, check_behaviour
    findings = forms.check(log)
    result = None
    if behaviour and log.has_protocol_events:
        result = check_behaviour(log, depth or DEFAULT_DEPTH, frontier or DEFAULT_FRONTIER)
    notes = []
    if log.observer == "client":
        flight = forms.in_flight_reads(log)
        if flight:
            notes.append(f"{len(flight)} read(s) returned a write before its ack reached the client or whose "
                         f"outcome stayed unknown (allowed for a client's log; e.g. read {flight[0][0]} saw "
                         f"{flight[0][1]})")
    return Verdict(log, findings, result, tuple(notes))


def position(log: Log, epoch, lsn) -> str:
    """A position as the system writes it: PostgreSQL's WAL LSN as X/Y."""
    if str(log.header.get("system", "")).lower().startswith("postgres") and isinstance(lsn, int):
        return f"(timeline {epoch}, {lsn >> 32:X}/{lsn & 0xFFFFFFFF:X})"
    return f"({epoch},{lsn})"


def line_text(ln: Line, limit: int = 160) -> str:
    data = {k: v for k, v in ln.data.items() if k != "t"}
    if "seen" in data and len(data["seen"]) > 6:
        data["seen"] = data["seen"][:3] + [f"... {len(data['seen']) - 3} more"]
    text = json.dumps(data, separators=(",", ":"))
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _quote(log: Log, numbers) -> list[str]:
    by_no = {ln.no: ln for ln in log.lines}
    return [f"    line {n}: {line_text(by_no[n])}" for n in sorted(set(numbers)) if n in by_no]


def text_lines(v: Verdict, path: str = "") -> list[str]:
    """The verdict in words: one line per property, then each violation with
    the log lines that show it, then the behaviour check."""
    log = v.log
    out = [f"dirproof conform {path}".rstrip() + f": {len(log.lines)} events, {len(log.writes)} writes, "
           f"{len(log.reads)} reads, observer {log.observer}"
           + (f", system {log.header['system']}" if log.header.get("system") else "")]
    for p in forms.FORMS:
        if p not in v.findings:
            out.append(f"  {p:24} not judged (no acknowledging replica or protocol events in the log)")
        else:
            out.append(f"  {p:24} {'VIOLATED' if v.findings[p] else 'holds'}")
    out.append("  " + behaviour_line(v))
    for f in v.violated:
        out += ["", f"{f.property} is violated: {f.message}", "  the log lines that show it:"]
        out += _quote(log, f.lines)
    b = v.behaviour
    if b is not None and not b.ok:
        out += ["", "not a behaviour of the model" + (" within the search bound" if b.truncated else "") + ":",
                f"  the last line matched is line {b.last_matched or 0}; line {_failed_no(b)} cannot happen next:"]
        out += _quote(log, [_failed_no(b)])
        out += [f"    because: {r}  ({n} model states)" for r, n in b.reasons]
        if b.truncated:
            out.append(f"  (the frontier was cut to {b.frontier} states after {b.truncated} line(s): "
                       "inconclusive; try a larger --frontier)")
    out += [f"note: {n}" for n in v.notes]
    return out


def behaviour_line(v: Verdict) -> str:
    b = v.behaviour
    if b is None:
        return f"{'behaviour':24} not checked (no protocol events)" if not v.log.has_protocol_events \
            else f"{'behaviour':24} not checked"
    if b.ok:
        cut = f", frontier cut after {b.truncated} line(s)" if b.truncated else ""
        return f"{'behaviour':24} a behaviour of the model (peak frontier {b.peak}{cut})"
    return f"{'behaviour':24} {'INCONCLUSIVE' if b.truncated else 'NOT a behaviour'} (line {_failed_no(b)})"


def _failed_no(b: Result) -> int:
    """The line the search could not explain (a failed search always names one)."""
    assert b.failed is not None
    return b.failed.no


def to_json(v: Verdict, path: str = "") -> dict:
    props = {p: ({"status": "violated", "message": f.message, "lines": list(f.lines)} if f else {"status": "holds"})
             for p, f in v.findings.items()}
    for p in forms.FORMS:
        props.setdefault(p, {"status": "not-judged"})
    return {"log": path, "events": len(v.log.lines), "observer": v.log.observer, "properties": props,
            "behaviour": v.behaviour.to_json() if v.behaviour is not None else None,
            "notes": list(v.notes), "exit_code": v.exit_code}
