"""The workload and fault schedule of one harness run, and its event log.

Client sessions s0 (affinity a2) and s1 (affinity b2) write directory
objects at the primary and read at their standby, carrying a replica token
= (timeline, WAL LSN) of their last write or read (design.md §2, Reads and
sessions). A read at a standby waits until pg_last_wal_replay_lsn() covers
the token or fails; it never answers older (knob `read_waits` off: it
answers at once). Faults drawn from a seeded random schedule: kill -9 of the
primary (then failover: promote, new synchronous standby, repoint, later the
old primary rejoins by pg_rewind), stopping a standby and resuming it a few
operations later. At the end every fault is healed and a session `check`
reads at the primary. Every event goes to the log as it happens (flushed),
so an interrupted run leaves a valid, shorter log.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Optional

import attrs

from .cluster import NAMES, REGION, Cluster, Knobs
from .ops import Session, read, write
from .servers import Servers

SESSIONS = {"s0": "a2", "s1": "b2"}


@attrs.frozen
class Plan:
    """What one run does: operations, faults, seed."""

    ops: int = 60
    kills: int = 1
    stops: int = 1
    seed: int = 0
    stop_for: int = 15  # operations a stopped standby stays down
    rejoin_after: int = 6  # operations until a killed primary rejoins


class Recorder:
    """Writes the event log, one JSON object per line, flushed at once."""

    def __init__(self, path: Path):
        self.f = open(path, "w", encoding="utf-8")
        self.t0 = time.monotonic()
        self.counts = {"writes": 0, "acked": 0, "reads": 0, "faults": 0}

    def __call__(self, **event) -> None:
        event["t"] = round(time.monotonic() - self.t0, 3)
        self.f.write(json.dumps(event, separators=(",", ":")) + "\n")
        self.f.flush()

    def close(self) -> None:
        self.f.close()


class Run:
    """One run of the harness: cluster, sessions, schedule, log."""

    def __init__(self, servers: Servers, knobs: Knobs, plan: Plan, log: Recorder):
        self.k, self.plan, self.log = knobs, plan, log
        self.rng = random.Random(plan.seed)
        self.c = Cluster(servers, knobs, lambda *a: None)
        self.sessions = [Session(n, r) for n, r in SESSIONS.items()]
        self.check = Session("check", "a1")
        self.objects: list[int] = []  # objects whose create was acknowledged
        self.next_obj = 0
        self.wid = self.rid = 0
        self.schedule = self._schedule()
        self.pending: dict[int, list] = {}
        self.stopped: set[str] = set()
        self.killed: set[str] = set()

    def _schedule(self) -> dict[int, str]:
        """Operation index -> fault, drawn from the seed."""
        slots = list(range(5, max(6, self.plan.ops - 8)))
        self.rng.shuffle(slots)
        faults = ["kill"] * self.plan.kills + ["stop"] * self.plan.stops
        return dict(zip(sorted(slots[:len(faults)]), self.rng.sample(faults, len(faults))))

    def header(self) -> None:
        self.log(event="log", format="dirproof-events", version=1, system="postgresql", observer="client",
                 replicas=[{"name": n, "region": REGION[n]} for n in NAMES], roles={"ap": "a1", "pp": "b1"},
                 model={"flaws": list(self.k.mirrors), "sessions": len(self.sessions) + 1,
                        "objects": self.plan.ops + 1, "attributes": 2, "values": 4},
                 config={"knobs": attrs.asdict(self.k), "plan": attrs.asdict(self.plan)})

    # ------------------------------------------------------------------ the run
    def run(self) -> None:
        self.header()
        self.c.setup()
        for i in range(self.plan.ops):
            for action in self.pending.pop(i, []):
                action()
            fault = self.schedule.get(i)
            if fault:
                self.fault(fault, i)
            s = self.sessions[i % len(self.sessions)]
            roll = self.rng.random()
            if roll < 0.35:
                self.write(s)
            elif roll < 0.7:
                self.write(s)
                self.read(s)  # read your own write at once: the RYW case
            else:
                self.read(s)
        self.finish()

    def later(self, i: int, action) -> None:
        self.pending.setdefault(i, []).append(action)

    def fault(self, kind: str, i: int) -> None:
        self.log.counts["faults"] += 1
        if kind == "stop":
            victim = self.rng.choice([n for n in NAMES if n != self.c.primary and n not in self.c.down])
            self.c.stop(victim)
            self.stopped.add(victim)
            self.log(event="crash", replica=victim, how="stopped (pg_ctl stop -m fast)")
            self.later(i + self.plan.stop_for, lambda: self.resume(victim))
            return
        old = self.c.kill_primary()
        self.killed.add(old)
        self.log(event="crash", replica=old, how="kill -9")
        for s in self.sessions + [self.check]:
            s.drop(old)
        self.failover()
        self.later(i + self.plan.rejoin_after, lambda: self.rejoin(old))

    def resume(self, name: str) -> None:
        """A stopped standby starts again and follows the current primary."""
        self.stopped.discard(name)
        if name not in self.c.down or name == self.c.primary:
            return
        self.c.resume(name)
        self.log(event="recover", replica=name)
        how = self.c.follow(name)
        if how:
            self.log(event="rejoin", replica=name, epoch=self.c.epoch, how=how)

    def failover(self) -> None:
        """The orchestrator: promote (the PP, or by the knob an async standby),
        name a new PP in the other region, repoint the standbys."""
        if self.k.promote == "pp" and self.c.pp in self.c.down:
            # the PP is down too: writes wait until it is back (design.md §2)
            self.stopped.discard(self.c.pp)
            self.c.resume(self.c.pp)
            self.log(event="recover", replica=self.c.pp)
        new = self.c.choose_new_primary(self.rng)
        other = [n for n in NAMES if REGION[n] != REGION[new] and n != self.c.primary]
        if all(n in self.c.down for n in other) and any(n in self.stopped for n in other):
            # no new PP can be named in the other region: wait for one (design.md §2)
            back = next(n for n in other if n in self.stopped)
            self.stopped.discard(back)
            self.c.resume(back)
            self.log(event="recover", replica=back)
        if new in self.c.down:
            self.stopped.discard(new)
            self.c.resume(new)
            self.log(event="recover", replica=new)
        epoch, switch, pp = self.c.promote(new, self.rng)
        self.log(event="promote", replica=new, epoch=epoch, pp=pp, lsn=switch, kind="emergency")
        for name in NAMES:
            if name not in (new,) and name not in self.c.down:
                how = self.c.follow(name)
                if how:
                    self.log(event="rejoin", replica=name, epoch=epoch, how=how)

    def rejoin(self, name: str) -> None:
        """A killed primary rejoins as a standby (pg_rewind, or a base backup)."""
        self.killed.discard(name)
        if name not in self.c.down:
            return
        how = self.c.rejoin(name)
        self.log(event="recover", replica=name)
        self.log(event="rejoin", replica=name, epoch=self.c.epoch, how=how)

    # ------------------------------------------------------------------ operations
    def _op(self) -> tuple[dict, str, tuple]:
        if not self.objects or self.rng.random() < 0.4:
            obj = self.next_obj
            self.next_obj += 1
            return ({"op": "create", "obj": obj}, "INSERT INTO objects VALUES (%s, ARRAY[0,0]) ON CONFLICT DO NOTHING",
                    (obj,))
        obj, attr, value = self.rng.choice(self.objects), self.rng.randrange(2), self.rng.randrange(4)
        return ({"op": "update", "obj": obj, "attr": attr, "value": value},
                "UPDATE objects SET attrs[%s] = %s WHERE id = %s", (attr + 1, value, obj))

    def write(self, s: Session) -> None:
        write(self, s)

    def read(self, s: Session, at: Optional[str] = None) -> None:
        read(self, s, at)

    def finish(self) -> None:
        """Heal every fault, let the standbys catch up, read once more."""
        for name in sorted(self.stopped):
            self.resume(name)
        for name in sorted(self.killed):
            self.rejoin(name)
        self.c.wait_streaming([n for n in NAMES if n != self.c.primary], 30)
        time.sleep(0.5)
        for s in self.sessions:
            self.read(s)
        self.read(self.check, self.c.primary)
        for s in self.sessions + [self.check]:
            s.close()
