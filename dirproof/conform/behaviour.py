"""What dirproof conform asks of the model: how each log line constrains it.

The model's internals are being rewritten (issue 12); this module uses only
its public API: make_config, initial_state, step, candidates, the action
classes, Rejected, SYSTEM, action_from_json/action_to_json (the operation
encoding of counterexample files) and the State fields replicas[r].up/
.epoch/.log/.commit, orchestrator.roles/.epoch/.ap, sessions[s].replica/
.logical, and the history events Acked, ReadServed, FailedOver.

The model configuration a log's header describes is `config_for(log)`
(configure.py); a branch of the search is a `Branch` (branch.py). Here:
* `check_behaviour(log)`: whether the log's sequence of events is a behaviour
  of the model with the configured design: a breadth-first search over the
  model steps the log does not show (replication, acknowledgement, rejoin),
  with a bounded number of hidden steps per line and a bounded frontier.
  When no model state explains a line, it reports the last line matched and
  the model's reasons why the next one cannot happen (design.md §2).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Optional

from dirproof.model import (SYSTEM, Acked, Acknowledge, ClientWrite, Crash, EmergencyFailover, Heal,
                            LoseDisk, MoveSession, Partition, PlannedFailover, Read, ReadServed, Recover,
                            Rejected, Rejoin, ReplacePassive, ReplicateToPassive, ReplicateToSecondary,
                            State, action_from_json, candidates, initial_state, step)

from .branch import Branch, branch_tag
from .configure import BehaviourInputError, config_for, session_names
from .events import Line, Log

__all__ = ["BehaviourInputError", "DEFAULT_DEPTH", "DEFAULT_FRONTIER", "ModelSide", "check_behaviour",
           "config_for", "session_names"]

HIDDEN = (ReplicateToPassive, Acknowledge, ReplicateToSecondary, Rejoin)
DEFAULT_DEPTH = 3
DEFAULT_FRONTIER = 400


# --------------------------------------------------------------------------- the search's model side

class ModelSide:
    """How each log line constrains the model (design.md §2), by event kind."""

    def __init__(self, log: Log, cfg):
        self.log, self.cfg = log, cfg
        self.index = {cfg.name_of(r): r for r in cfg.replicas}
        self.system = log.observer == "system"
        self.ops: dict = {}
        self.first_read = self._first_reads()
        self.sessions = self._assign_sessions()
        self._reports()

    def _first_reads(self) -> dict:
        """Each logical session's replica: where it first reads."""
        out: dict = {}
        for ln in self.log.lines:
            if ln.event == "invoke-read":
                out.setdefault((str(ln.get("session")), int(ln.get("logical", 0))), self.index[ln.get("replica")])
        return out

    def _assign_sessions(self) -> dict:
        """Model session numbers for the log's sessions: where possible one
        whose initial affinity is where the session first reads."""
        free = list(enumerate(s.replica for s in initial_state(self.cfg).sessions))
        out: dict = {}
        names = session_names(self.log)
        for name in names:
            want = self.first_read.get((name, 0))
            pick = next((i for i, r in free if r == want), None)
            if pick is not None:
                out[name] = pick
                free = [(i, r) for i, r in free if i != pick]
        for name in names:
            if name not in out:
                out[name], free = free[0][0], free[1:]
        return out

    def settled(self, b: Branch, i: int) -> bool:
        """Observer `system` reports every change of a replica's log by a
        caught-up line right after the step: after line i, a replica may
        differ from its last report only if the caught-up lines right after
        line i name it."""
        if not self.system:
            return True
        for r, rep in enumerate(b.state.replicas):
            pos = (rep.log[-1].epoch if rep.log else 0, len(rep.log))
            if pos != self.reported[i].get(r, (0, 0)) and r not in self.coming[i]:
                return False
        return True

    def _reports(self) -> None:
        """reported[i]: each replica's last caught-up position up to line i;
        coming[i]: the replicas named by the caught-up lines right after it."""
        last: dict = {}
        self.reported, self.coming = [], []
        lines = self.log.lines
        for i, ln in enumerate(lines):
            if ln.event == "caught-up":
                last = {**last, self.index[ln.get("replica")]: (ln.get("epoch"), ln.get("lsn"))}
            self.reported.append(last)
            j, names = i + 1, set()
            while j < len(lines) and lines[j].event == "caught-up":
                names.add(self.index[lines[j].get("replica")])
                j += 1
            self.coming.append(names)

    def initial(self) -> Branch:
        return Branch(initial_state(self.cfg), {}, {}, {}, 0)

    def hidden(self, b: Branch, ln: Line) -> Iterable[Branch]:
        """Successors by one step the log does not show, of the kinds that can
        matter before line `ln`: the synchronous path before a write or an ack;
        only the copy to the reading replica before a client's read; none
        where they would be the same as before the next line."""
        if ln.event in ("invoke-read", "write-failed", "write-unknown", "read-failed"):
            return  # the same as before the next line
        kinds = (ReplicateToPassive, Acknowledge) if ln.event in ("ack", "invoke-write") else HIDDEN
        only = None
        if ln.event == "read-ok" and not self.system:
            only = self.index[self.log.reads[ln.get("id")].invoke.get("replica")]
        for a in candidates(b.state, kinds):
            if only is not None and isinstance(a, (ReplicateToSecondary, Rejoin)) and a.replica != only:
                continue
            nxt = step(b.state, a)
            if not isinstance(nxt, Rejected):
                yield b.moved(nxt, a)

    def observe(self, b: Branch, ln: Line, why: Counter) -> list[Branch]:
        """The branches in which line `ln` happens next; reasons into `why`."""
        fn = getattr(self, "_" + ln.event.replace("-", "_"), None)
        return fn(b, ln, why) if fn else [b]

    # ------------------------------------------------------------------ helpers
    def _run(self, b: Branch, action, why: Counter) -> Optional[State]:
        nxt = step(b.state, action)
        if isinstance(nxt, Rejected):
            why[f"{type(action).__name__}: {nxt.reason}"] += 1
            return None
        return nxt

    def _op(self, ln: Line):
        wid = ln.get("id")
        if wid not in self.ops:
            try:
                self.ops[wid] = action_from_json({"step": "client_write", "at": 0, "session": 0,
                                                  "op": ln.get("op")}).op
            except ValueError as exc:
                raise BehaviourInputError(f"line {ln.no}: op {ln.get('op')} is not a model operation ({exc})") from None
        return self.ops[wid]

    def _session(self, b: Branch, ln: Line, replica: Optional[int], why: Counter) -> list[tuple[Branch, int]]:
        """The model session of the line's logical session, moved there if the
        log started a new logical session (MoveSession)."""
        name = str(ln.get("session"))
        if name == "system":
            return [(b, SYSTEM)]
        s = self.sessions[name]
        key = (name, int(ln.get("logical", 0)))
        replica = self.first_read.get(key, replica)
        sess = b.state.sessions[s]
        have = b.logical.get(key)
        if have is not None:
            if have != sess.logical:
                why[f"session {name}: logical session #{key[1]} has ended in the model"] += 1
                return []
            return [(b, s)]
        claimed = any(k[0] == name and v == sess.logical for k, v in b.logical.items())
        out = []
        if not claimed and (replica is None or sess.replica == replica):
            out.append((b, s))
        for r in [replica] if replica is not None else list(self.cfg.replicas):
            if r != sess.replica:
                nxt = self._run(b, MoveSession(s, r), why)
                if nxt is not None:
                    out.append((b.moved(nxt, MoveSession(s, r)), s))
        return [(Branch(x.state, x.ids, x.rev, {**x.logical, key: x.state.sessions[s].logical},
                        branch_tag(x.key[1], key, x.state.sessions[s].logical), x.trail), s) for x, s in out]

    def _acked(self, state: State, entry) -> list:
        return [ev for ev in reversed(state.history) if isinstance(ev, Acked) and ev.entry == entry]

    # ------------------------------------------------------------------ client events
    def _invoke_write(self, b: Branch, ln: Line, why: Counter) -> list[Branch]:
        op, wid = self._op(ln), ln.get("id")
        at = ln.get("replica")
        out = []
        failed = (self.log.writes[wid].outcome or ln).event == "write-failed"
        for b1, s in self._session(b, ln, None, why):
            places = [self.index[at]] if at is not None else [r for r in self.cfg.replicas]
            for r in places if not failed else ():
                a = ClientWrite(r, s, op)
                nxt = self._run(b1, a, why)
                if nxt is not None:
                    e = nxt.replicas[r].log[-1]
                    out.append(Branch(nxt, {**b1.ids, wid: e}, {**b1.rev, e: wid}, b1.logical,
                                      branch_tag(b1.key[1], wid, r), (b1.trail, a, b1.state)))
            if self._may_be_unapplied(wid):
                out.append(Branch(b1.state, {**b1.ids, wid: None}, b1.rev, b1.logical, branch_tag(b1.key[1], wid),
                                  b1.trail))
        return out

    def _may_be_unapplied(self, wid: str) -> bool:
        """A client's write may never have reached a replica when it failed or
        its outcome is unknown; one still open when the log ends is taken to
        have reached it (a bound: docs/conformance.md)."""
        end = self.log.writes[wid].outcome
        return not self.system and end is not None and end.event in ("write-failed", "write-unknown")

    def _ack(self, b: Branch, ln: Line, why: Counter) -> list[Branch]:
        e = b.ids.get(ln.get("id"))
        if e is None:
            why[f"write {ln.get('id')} never reached an active primary, so it cannot be acknowledged"] += 1
            return []
        by, epoch = ln.get("replica"), ln.get("by_epoch", ln.get("epoch"))
        for ev in self._acked(b.state, e):
            if (by is None or self.cfg.name_of(ev.replica) == by) and ev.epoch == epoch:
                if ln.get("epoch") == e.epoch and (not self.system or ln.get("lsn") == e.lsn):
                    return [b]
        why[f"the model has not acknowledged write {ln.get('id')} (entry ({e.epoch},{e.lsn})) "
            f"by {by or 'any replica'} in epoch {epoch}"] += 1
        return []

    def _write_failed(self, b: Branch, ln: Line, why: Counter) -> list[Branch]:
        if b.ids.get(ln.get("id")) is not None:
            why[f"write {ln.get('id')} reached a primary in this branch"] += 1
            return []
        return [b]

    def _read_ok(self, b: Branch, ln: Line, why: Counter) -> list[Branch]:
        inv = self.log.reads[ln.get("id")].invoke
        r = self.index[inv.get("replica")]
        want = frozenset(ln.get("seen"))
        out = []
        for b1, s in self._session(b, inv, r, why):
            if b1.state.sessions[s].replica != r:
                why[f"session {inv.get('session')} reads at {self.cfg.name_of(b1.state.sessions[s].replica)} "
                    f"in the model, at {inv.get('replica')} in the log, in one logical session"] += 1
                continue
            got = self._read(b1, s, want, why)
            if got is None and not self.system:
                got = self._read_earlier(b1, s, r, want, why)
            if got is not None:
                out.append(got)
        return out

    def _read(self, b: Branch, s: int, want: frozenset, why: Optional[Counter]) -> Optional[Branch]:
        """The model's Read of session s, if it returns exactly the writes `want`."""
        a = Read(s)
        nxt = step(b.state, a)
        if isinstance(nxt, Rejected):
            if why is not None:
                why[f"Read: {nxt.reason}"] += 1
            return None
        served = nxt.history[-1]
        assert isinstance(served, ReadServed), "a read that runs ends its history with what it served"
        got = {b.rev.get(e, f"<unlogged {e.epoch},{e.lsn}>") for e in served.seen}
        if got == want:
            return b.moved(nxt, a)
        if why is not None:
            miss, extra = sorted(want - got)[:4], sorted(got - want)[:4]
            why[f"the model's read at {self.cfg.name_of(b.state.sessions[s].replica)} returns {len(got)} "
                f"writes, the log {len(want)}" + (f"; the model lacks {', '.join(miss)}" if miss else "")
                + (f"; the model also has {', '.join(extra)}" if extra else "")] += 1
        return None

    def _read_earlier(self, b: Branch, s: int, r: int, want: frozenset, why: Counter) -> Optional[Branch]:
        """A lagging secondary: replay the branch with `r` copying the AP's log
        at the latest earlier moment its commit point held exactly `want`,
        steps after it unchanged (a copy to `r` then commutes with them);
        only back to r's last read, move or rejoin."""
        trail = b.steps()
        for k, (action, before) in enumerate(trail):
            if getattr(action, "replica", None) == r or getattr(action, "session", None) == s:
                break
            ap = before.replicas[before.orchestrator.ap]
            if {b.rev.get(e) for e in ap.log[:ap.commit]} != want:
                continue
            redo = self._replay(before, r, [a for a, _ in reversed(trail[:k + 1])], b)
            if redo is not None:
                got = self._read(redo, s, want, None)
                if got is not None:
                    return got
        return None

    def _replay(self, before: State, r: int, actions: list, b: Branch) -> Optional[Branch]:
        copy = ReplicateToSecondary(r)
        state = step(before, copy)
        if isinstance(state, Rejected):
            return None
        for a in actions:
            if a == copy:
                continue
            state = step(state, a)
            if isinstance(state, Rejected):
                return None
        if state.history != b.state.history:
            return None
        return b.moved(state, copy)

    # ------------------------------------------------------------------ protocol events
    def _one(self, b: Branch, action, why: Counter) -> list[Branch]:
        nxt = self._run(b, action, why)
        return [] if nxt is None else [b.moved(nxt, action)]

    def _crash(self, b: Branch, ln: Line, why: Counter) -> list[Branch]:
        r = self.index[ln.get("replica")]
        return self._one(b, LoseDisk(r) if ln.get("how") == "disk-lost" else Crash(r), why)

    def _recover(self, b: Branch, ln: Line, why: Counter) -> list[Branch]:
        return self._one(b, Recover(self.index[ln.get("replica")]), why)

    def _partition(self, b: Branch, ln: Line, why: Counter) -> list[Branch]:
        return self._one(b, Partition(self.index[ln.get("a")], self.index[ln.get("b")]), why)

    def _heal(self, b: Branch, ln: Line, why: Counter) -> list[Branch]:
        return self._one(b, Heal(self.index[ln.get("a")], self.index[ln.get("b")]), why)

    def _rejoin(self, b: Branch, ln: Line, why: Counter) -> list[Branch]:
        r = self.index[ln.get("replica")]
        if b.state.replicas[r].epoch == b.state.orchestrator.epoch and b.state.replicas[r].up:
            return [b]  # it rejoined in a step the log did not show
        return self._one(b, Rejoin(r), why)

    def _promote(self, b: Branch, ln: Line, why: Counter) -> list[Branch]:
        ap = self.index[ln.get("replica")]
        kind, pp = ln.get("kind", "emergency"), ln.get("pp")
        pps = [self.index[pp]] if pp is not None else [r for r in self.cfg.replicas if r != ap]
        actions: list[Any]
        if kind == "planned":
            actions = [PlannedFailover()]
        elif kind == "replace-passive":
            actions = [ReplacePassive(p) for p in pps]
        else:
            actions = [EmergencyFailover(ap, p) for p in pps]
        out = []
        for a in actions:
            nxt = self._run(b, a, why)
            if nxt is None:
                continue
            if nxt.orchestrator.epoch != ln.get("epoch") or nxt.orchestrator.ap != ap:
                why[f"the model's failover starts epoch {nxt.orchestrator.epoch} with AP "
                    f"{self.cfg.name_of(nxt.orchestrator.ap)}, the log epoch {ln.get('epoch')}"] += 1
                continue
            out.append(b.moved(nxt, a))
        return out

    def _caught_up(self, b: Branch, ln: Line, why: Counter) -> list[Branch]:
        if not self.system:
            return [b]  # a client's sample of a real replica's position is not a model LSN
        rep = b.state.replicas[self.index[ln.get("replica")]]
        last = rep.log[-1].epoch if rep.log else 0
        if (last, len(rep.log)) == (ln.get("epoch"), ln.get("lsn")):
            return [b]
        why[f"{ln.get('replica')} holds ({last},{len(rep.log)}) in the model, not "
            f"({ln.get('epoch')},{ln.get('lsn')})"] += 1
        return []


def check_behaviour(log: Log, depth: int = DEFAULT_DEPTH, frontier: int = DEFAULT_FRONTIER):
    """Is the log a behaviour of the model with the header's design? (search.Result)"""
    from .search import search
    cfg = config_for(log)
    return search(log, ModelSide(log, cfg), depth, frontier)
