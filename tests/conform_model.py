"""Model walks written as dirproof event logs (for the conform tests).

`export(config, actions, observer)` runs accepted model actions and writes
what happened in the event-log format of docs/conformance.md: client writes
(invoke-write), acknowledgements (ack, once per write), reads (invoke-read +
read-ok with the writes seen and the position (epoch, LSN) = the last seen
entry's epoch and the number seen), failovers (promote with the new AP's log
length), faults (crash, recover, partition, heal), rejoin; with observer
"system" also caught-up after each step for each replica whose log changed.
`model_verdicts` judges the same walk with the model's own predicates, after
every step, as the engines judge a trace.
"""

from __future__ import annotations

import random
from typing import Iterable, Optional

from dirproof.model import (SYSTEM, Acked, Acknowledge, ClientWrite, Crash, EmergencyFailover,
                            FailedOver, Heal, LoseDisk, MoveSession, Partition, PlannedFailover,
                            Read, ReadServed, Recover, Rejected, Rejoin, ReplacePassive,
                            ReplicateToPassive, ReplicateToSecondary, State, action_to_json,
                            candidates, initial_state, step)
from dirproof.properties import PROPERTIES

HISTORY_PROPERTIES = ("no-acked-write-lost", "one-history", "read-your-writes", "monotonic-reads",
                      "no-read-of-lost-write")


class _Exporter:
    def __init__(self, cfg, observer: str):
        self.cfg, self.observer = cfg, observer
        self.ids: dict = {}
        self.acked: set = set()
        self.reads = self.writes = 0
        st = initial_state(cfg)
        ap, pp = st.orchestrator.roles[0]
        self.events: list[dict] = [{
            "event": "log", "format": "dirproof-events", "version": 1, "system": "dirproof model",
            "observer": observer,
            "replicas": [{"name": cfg.name_of(r), "region": cfg.regions[cfg.region_of(r)]} for r in cfg.replicas],
            "roles": {"ap": cfg.name_of(ap), "pp": cfg.name_of(pp)},
            "model": {"flaws": list(cfg.flaws), "sessions": cfg.sessions, "objects": cfg.objects,
                      "attributes": cfg.attributes, "values": cfg.values}}]
        self.state = st

    def name(self, r: int) -> str:
        return self.cfg.name_of(r)

    def emit(self, **e) -> None:
        self.events.append(e)

    def run(self, action) -> None:
        before = self.state
        after = step(before, action)
        if isinstance(after, Rejected):
            raise ValueError(f"{action} is rejected by the model: {after.reason}")
        self.state = after
        self._observed(action, before, after)
        for ev in after.history[len(before.history):]:
            self._history(ev, after)
        if self.observer == "system":
            for r, (a, b) in enumerate(zip(before.replicas, after.replicas)):
                if a.log != b.log:
                    self.emit(event="caught-up", replica=self.name(r), epoch=b.log[-1].epoch if b.log else 0,
                              lsn=len(b.log))

    def _observed(self, a, before: State, after: State) -> None:
        if isinstance(a, ClientWrite):
            entry = after.replicas[a.at].log[-1]
            self.writes += 1
            if entry in self.ids:
                raise ValueError(f"two client writes made the same entry {entry}")
            wid = self.ids[entry] = f"w{self.writes}"
            who = "system" if a.session == SYSTEM else f"s{a.session}"
            self.emit(event="invoke-write", id=wid, session=who,
                      logical=entry.logical if a.session != SYSTEM else 0,
                      op=action_to_json(a)["op"], replica=self.name(a.at))
        elif isinstance(a, (Crash, LoseDisk)):
            how = {"how": "disk-lost"} if isinstance(a, LoseDisk) else {}
            self.emit(event="crash", replica=self.name(a.replica), **how)
        elif type(a).__name__ == "LoseRegion":
            for r in self.cfg.replicas:
                if self.cfg.region_of(r) == a.region and before.replicas[r] != after.replicas[r]:
                    self.emit(event="crash", replica=self.name(r), how="disk-lost")
        elif isinstance(a, Recover):
            self.emit(event="recover", replica=self.name(a.replica))
        elif isinstance(a, Rejoin):
            self.emit(event="rejoin", replica=self.name(a.replica), epoch=after.replicas[a.replica].epoch)
        elif isinstance(a, (Partition, Heal)):
            self.emit(event="partition" if isinstance(a, Partition) else "heal",
                      a=self.name(a.a), b=self.name(a.b))

    def _history(self, ev, after: State) -> None:
        if isinstance(ev, Acked):
            if ev.entry in self.acked or ev.entry not in self.ids:
                return
            self.acked.add(ev.entry)
            self.emit(event="ack", id=self.ids[ev.entry], epoch=ev.entry.epoch, lsn=ev.entry.lsn,
                      replica=self.name(ev.replica), by_epoch=ev.epoch)
        elif isinstance(ev, ReadServed):
            self.reads += 1
            rid = f"r{self.reads}"
            self.emit(event="invoke-read", id=rid, session=f"s{ev.session}", logical=ev.logical,
                      replica=self.name(ev.replica), token={"epoch": ev.token.epoch, "lsn": ev.token.lsn})
            self.emit(event="read-ok", id=rid, epoch=ev.seen[-1].epoch if ev.seen else 0, lsn=len(ev.seen),
                      seen=[self.ids[e] for e in ev.seen])
        elif isinstance(ev, FailedOver):
            kind = ev.kind if ev.kind in ("emergency", "planned") else "replace-passive"
            self.emit(event="promote", replica=self.name(ev.ap), epoch=ev.epoch, pp=self.name(ev.pp),
                      lsn=len(after.replicas[ev.ap].log), kind=kind)


def export(cfg, actions: Iterable, observer: str = "system") -> list[dict]:
    """The event log (header first) of a walk of accepted model actions."""
    ex = _Exporter(cfg, observer)
    for a in actions:
        ex.run(a)
    return ex.events


def model_verdicts(cfg, actions: Iterable) -> dict[str, Optional[str]]:
    """Each history property's first violation message along the walk (None: holds)."""
    state = initial_state(cfg)
    out: dict[str, Optional[str]] = {p: None for p in HISTORY_PROPERTIES}
    for a in actions:
        state = step(state, a)
        for p in HISTORY_PROPERTIES:
            if out[p] is None:
                out[p] = PROPERTIES[p].check(state)
    return out


KINDS = (ClientWrite, ReplicateToPassive, Acknowledge, ReplicateToSecondary, Rejoin, Read, MoveSession,
         Crash, Recover, LoseDisk, Partition, Heal, EmergencyFailover, PlannedFailover, ReplacePassive)
WEIGHTS = {"ClientWrite": 6, "ReplicateToPassive": 4, "Acknowledge": 4, "ReplicateToSecondary": 4,
           "Rejoin": 2, "Read": 6, "MoveSession": 1, "Crash": 1, "Recover": 2, "LoseDisk": 0.3,
           "Partition": 0.5, "Heal": 1, "EmergencyFailover": 2, "PlannedFailover": 0.5, "ReplacePassive": 0.5}


def random_walk(cfg, rng: random.Random, length: int, start: Iterable = ()) -> list:
    """`start`, then accepted actions drawn by kind (WEIGHTS) up to `length`."""
    state = initial_state(cfg)
    walk = list(start)
    for a in walk:
        state = step(state, a)
    kinds = list(KINDS)
    weights = [WEIGHTS[k.__name__] for k in kinds]
    for _ in range(length * 4):
        if len(walk) >= length:
            break
        options = list(candidates(state, (rng.choices(kinds, weights)[0],)))
        rng.shuffle(options)
        for a in options[:12]:
            nxt = step(state, a)
            if not isinstance(nxt, Rejected):
                walk.append(a)
                state = nxt
                break
    return walk
