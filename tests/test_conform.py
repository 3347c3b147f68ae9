"""dirproof conform on hand-made logs: each history property broken and held,
malformed logs refused with the line named, exit codes, the picture."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dirproof.cli import app
from dirproof.conform.events import LogError, dumps, parse
from dirproof.conform.forms import check, judged
from dirproof.conform.report import judge, text_lines

HEADER = {"event": "log", "format": "dirproof-events", "version": 1, "observer": "client",
          "replicas": [{"name": "p", "region": "A"}, {"name": "s", "region": "B"}, {"name": "r", "region": "A"}],
          "roles": {"ap": "p", "pp": "s"}}


def log(*events, **header):
    return parse(dumps([{**HEADER, **header}, *events]))


def W(wid, session="c", op=None, **kw):
    return {"event": "invoke-write", "id": wid, "session": session, "op": op or {"op": "create", "obj": 0}, **kw}


def A(wid, lsn, epoch=1, replica="p", **kw):
    return {"event": "ack", "id": wid, "epoch": epoch, "lsn": lsn, "replica": replica, **kw}


def R(rid, seen, lsn, epoch=1, session="c", replica="r", token=(0, 0)):
    return [{"event": "invoke-read", "id": rid, "session": session, "replica": replica,
             "token": {"epoch": token[0], "lsn": token[1]}},
            {"event": "read-ok", "id": rid, "epoch": epoch, "lsn": lsn, "seen": seen}]


def broken(lg) -> set:
    return {p for p, f in check(lg).items() if f is not None}


# --------------------------------------------------------------------------- each property

def test_a_clean_history_holds_everything():
    lg = log(W("w1"), A("w1", 10), *R("r1", ["w1"], 10), W("w2", op={"op": "update", "obj": 0, "attr": 0, "value": 1}),
             A("w2", 20), *R("r2", ["w1", "w2"], 20))
    assert broken(lg) == set()
    assert set(judged(lg)) == {"no-acked-write-lost", "one-history", "read-your-writes", "monotonic-reads",
                               "no-read-of-lost-write"}


def test_read_your_writes_breaks_on_a_stale_read_of_the_own_write():
    lg = log(W("w1"), A("w1", 10), *R("r1", [], 5))
    f = check(lg)["read-your-writes"]
    assert f is not None and "w1" in f.message and f.lines == (2, 3, 4, 5)
    # another session's stale read is no violation of read-your-writes
    assert "read-your-writes" not in broken(log(W("w1"), A("w1", 10), *R("r1", [], 5, session="other")))
    # nor is a read invoked before the ack
    early = log(W("w1"), {"event": "invoke-read", "id": "r1", "session": "c", "replica": "r"},
                {"event": "read-ok", "id": "r1", "epoch": 1, "lsn": 5, "seen": []}, A("w1", 10))
    assert "read-your-writes" not in broken(early)
    # a new logical session has its own consistency
    moved = log(W("w1"), A("w1", 10), {"event": "invoke-read", "id": "r1", "session": "c", "logical": 1,
                                       "replica": "r"}, {"event": "read-ok", "id": "r1", "epoch": 1, "lsn": 5, "seen": []})
    assert "read-your-writes" not in broken(moved)


def test_monotonic_reads_breaks_when_a_session_goes_back():
    lg = log(W("w1", session="x"), A("w1", 10), *R("r1", ["w1"], 10), *R("r2", [], 4))
    f = check(lg)["monotonic-reads"]
    assert f is not None and "LSN 4" in f.message and "LSN 10" in f.message
    assert "monotonic-reads" not in broken(log(*R("r1", [], 4), *R("r2", [], 10)))


def test_no_acked_write_lost_breaks_when_a_later_read_past_it_lacks_it():
    lg = log(W("w1", session="x"), A("w1", 10), {"event": "crash", "replica": "p"},
             {"event": "promote", "replica": "s", "epoch": 2, "pp": "r"},
             W("w2", session="x", op={"op": "create", "obj": 1}, replica="s"), A("w2", 30, epoch=2, replica="s"),
             *R("r1", ["w2"], 30, epoch=2, session="y", replica="s"))
    f = check(lg)["no-acked-write-lost"]
    assert f is not None and "w1" in f.message
    # the same read before the write's position is no evidence of a loss
    short = log(W("w1", session="x"), A("w1", 10), *R("r1", [], 8, session="y"))
    assert "no-acked-write-lost" not in broken(short)


def test_no_acked_write_lost_system_observer_judges_two_regions_and_promotion():
    one_region = log({"event": "invoke-write", "id": "w1", "session": "c", "op": {"op": "create", "obj": 0}},
                     {"event": "caught-up", "replica": "p", "epoch": 1, "lsn": 1},
                     {"event": "caught-up", "replica": "r", "epoch": 1, "lsn": 1}, A("w1", 1), observer="system")
    f = check(one_region)["no-acked-write-lost"]
    assert f is not None and "only in region(s) A" in f.message
    two = log(W("w1"), {"event": "caught-up", "replica": "s", "epoch": 1, "lsn": 1}, A("w1", 1), observer="system")
    assert "no-acked-write-lost" not in broken(two)
    promoted = log(W("w1"), {"event": "caught-up", "replica": "s", "epoch": 1, "lsn": 1}, A("w1", 1),
                   {"event": "promote", "replica": "r", "epoch": 2, "lsn": 0}, observer="system")
    f = check(promoted)["no-acked-write-lost"]
    assert f is not None and "promoted with its log ending at LSN 0" in f.message
    # a client's log never judges the two-regions clause: it cannot see copies
    assert "no-acked-write-lost" not in broken(log(W("w1"), A("w1", 1)))


def test_one_history_breaks_on_two_writes_at_one_position_or_two_ackers():
    same_lsn = log(W("w1"), A("w1", 10), W("w2", op={"op": "create", "obj": 1}), A("w2", 10, epoch=2, replica="s"))
    assert "two different writes were acknowledged at LSN 10" in check(same_lsn)["one-history"].message
    two = log(W("w1"), A("w1", 10), W("w2", op={"op": "create", "obj": 1}), A("w2", 11, replica="s"))
    assert "two replicas acknowledged in epoch 1" in check(two)["one-history"].message
    fork = log(W("w1", session="x"), A("w1", 10, epoch=2, replica="s"), *R("r1", [], 12, epoch=1, session="y"))
    assert "branched off" in check(fork)["one-history"].message
    assert "one-history" not in broken(log(W("w1"), A("w1", 10), W("w2", op={"op": "create", "obj": 1}),
                                           A("w2", 11)))


def test_one_history_is_not_judged_without_acking_replicas_or_protocol_events():
    lg = log(W("w1"), {"event": "ack", "id": "w1", "epoch": 1, "lsn": 1})
    assert "one-history" not in judged(lg)


def test_no_read_of_lost_write_client_and_system_forms():
    failed = log(W("w1"), {"event": "write-failed", "id": "w1"}, *R("r1", ["w1"], 5))
    assert "failed" in check(failed)["no-read-of-lost-write"].message
    ghost = log(*R("r1", ["w9"], 5))
    assert "no client wrote" in check(ghost)["no-read-of-lost-write"].message
    # seen while in flight, then gone from a later read past it: a lost write was read
    lost = log(W("w1"), *R("r1", ["w1"], 5), {"event": "write-unknown", "id": "w1"}, *R("r2", [], 9))
    assert "then lost" in check(lost)["no-read-of-lost-write"].message
    # seen while in flight and acknowledged later: allowed for a client, a note
    later = log(W("w1"), *R("r1", ["w1"], 5), A("w1", 5))
    assert "no-read-of-lost-write" not in broken(later)
    assert any("before its ack" in n for n in judge(later, behaviour=False).notes)
    # the system's own log: a read returns only what was already acknowledged
    strict = log(W("w1"), *R("r1", ["w1"], 5), A("w1", 5), observer="system")
    assert "had not been acknowledged" in check(strict)["no-read-of-lost-write"].message


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("lines, line, words", [
    (["{not json"], 1, "not JSON"),
    ([json.dumps({"event": "ack"})], 1, "first line must be the header"),
    ([json.dumps(HEADER), json.dumps({"event": "ack", "id": "w1", "epoch": 1, "lsn": 1})], 2, "no earlier invoke-write"),
    ([json.dumps(HEADER), json.dumps(W("w1")), json.dumps(W("w1"))], 3, "already used on line 2"),
    ([json.dumps(HEADER), json.dumps(W("w1")), json.dumps(A("w1", "x"))], 3, "'x' is not of type 'integer'"),
    ([json.dumps(HEADER), json.dumps({"event": "teleport"})], 2, "unknown event 'teleport'"),
    ([json.dumps(HEADER), json.dumps({"event": "crash", "replica": "nowhere"})], 2, "not a replica of the header"),
    ([json.dumps(HEADER), json.dumps(W("w1")), json.dumps(A("w1", 1)), json.dumps(A("w1", 2))], 4, "already ended"),
    ([json.dumps({**HEADER, "version": 2})], 1, "version"),
    ([json.dumps(HEADER), "[1, 2]"], 2, "not a JSON object"),
    ([], 1, "empty log"),
])
def test_malformed_logs_are_refused_naming_the_line(lines, line, words):
    with pytest.raises(LogError) as exc:
        parse("\n".join(lines))
    assert exc.value.line == line and words in str(exc.value)


def test_cli_exit_codes_and_one_line_errors(tmp_path):
    runner = CliRunner()
    good = tmp_path / "good.jsonl"
    good.write_text(dumps([HEADER, W("w1"), A("w1", 1), *R("r1", ["w1"], 1)]))
    res = runner.invoke(app, ["conform", str(good)])
    assert res.exit_code == 0, res.output
    assert "read-your-writes         holds" in res.output
    bad = tmp_path / "stale.jsonl"
    bad.write_text(dumps([HEADER, W("w1"), A("w1", 10), *R("r1", [], 5)]))
    res = runner.invoke(app, ["conform", str(bad), "--svg", str(tmp_path / "v.svg")])
    assert res.exit_code == 1 and "read-your-writes is violated" in res.output
    assert "line 3:" in res.output  # the lines that show it are quoted
    picture = (tmp_path / "v.svg").read_text()
    assert picture.startswith("<?xml") and "dirproof conform: read-your-writes" in picture
    malformed = tmp_path / "m.jsonl"
    malformed.write_text(json.dumps(HEADER) + "\n" + '{"event": "ack", "id": 1}\n')
    res = runner.invoke(app, ["conform", str(malformed)])
    assert res.exit_code == 2
    assert res.output.strip().count("\n") == 0 and "line 2" in res.output
    res = runner.invoke(app, ["conform", str(tmp_path / "missing.jsonl")])
    assert res.exit_code == 2 and "cannot read the log" in res.output
    as_json = json.loads(runner.invoke(app, ["conform", str(bad), "--json"]).output)
    assert as_json["properties"]["read-your-writes"]["status"] == "violated"
    assert as_json["exit_code"] == 1


def test_text_report_names_the_behaviour_failure_and_its_reasons():
    lg = log(W("w1"), A("w1", 1), {"event": "crash", "replica": "p"},
             {"event": "promote", "replica": "r", "epoch": 2, "pp": "s"}, model={"flaws": []})
    v = judge(lg)
    assert v.exit_code == 1 and v.behaviour_failed
    text = "\n".join(text_lines(v))
    assert "the last line matched is line 4; line 5 cannot happen next" in text
    assert "only the PP s may be promoted, not r" in text
