"""The abstraction function: a Python `State` as values of the Z3 encoding.

`Abstraction(cfg, scope).abstract(state)` gives one concrete value per key
of `symbolic.layout(cfg, scope)`, or raises `OutOfScope` when the state
does not fit the scope. The history (unbounded in Python) becomes the ghost
state by running the same monitors the Z3 steps run, event by event:

  * `Acked` events fill the acknowledged-entry slots of their LSN (distinct
    entries, in order of first acknowledgement), the first acker of their
    epoch (`two_ackers` latches on a second one) and the `regions` monitor;
  * `ReadServed` events are judged by the `ryw`, `lost` and `mono`
    monitors against the slots as they were at the read, and `last` is the
    longest prefix read by the session's *current* logical session;
  * `FailedOver` events leave no ghost (the orchestrator's roles say it).

Payloads: each distinct `(op, day, origin)` of an entry gets a positive
integer, assigned in order of first sight by this Abstraction object; use
one object for a pre-state, its action and its successor.
"""

from __future__ import annotations

from typing import Optional

from .config import Config
from .objects import OpContext, Purge, view_of
from .state import SYSTEM, Acked, Entry, ReadServed, State
from .symbolic import FIELDS, LATCHES, NO_ACKER, NULL, Scope, layout, replica_pairs


class OutOfScope(ValueError):
    """A Python state that the Z3 encoding of this scope cannot represent."""


class Abstraction:
    def __init__(self, cfg: Config, scope: Scope):
        self.cfg, self.scope = cfg, scope
        self.payloads: dict = {}
        self.keys = [k for k, _ in layout(cfg, scope)]

    def payload(self, op, day: int, origin: int) -> int:
        key = (op, day, origin)
        if key not in self.payloads:
            self.payloads[key] = len(self.payloads) + 1
        return self.payloads[key]

    def entry(self, e: Entry) -> tuple:
        return (e.epoch, self.payload(e.op, e.day, e.origin), e.session, e.logical)

    def write_inputs(self, state: State, at: int, session: int, op) -> tuple[int, bool]:
        """(pay, ok) of ClientWrite(at, session, op): the payload the entry
        would carry, and the object layer's verdict (the oracle of the Z3
        relation: the object exists in the config, only the system purges
        and it only purges, and the op is accepted against `at`'s view of its
        log: replication.write_refusal's object-layer checks)."""
        cfg = self.cfg
        ok = 0 <= op.obj < cfg.objects and (session == SYSTEM) == isinstance(op, Purge)
        if ok:
            rep = state.replicas[at]
            ok = op.refuse(view_of(cfg, rep.log, at), OpContext(cfg, state.day, state.snapshots)) is None
        return self.payload(op, state.day, at), ok

    def abstract(self, state: State) -> dict:
        cfg, L, E, K = self.cfg, self.scope.log, self.scope.epochs, self.scope.slots
        if state.config != cfg:
            raise OutOfScope("the state belongs to another configuration")
        v: dict = {}
        for r, rep in enumerate(state.replicas):
            if len(rep.log) > L:
                raise OutOfScope(f"replica {r} holds {len(rep.log)} entries > {L}")
            if not 0 <= rep.commit <= len(rep.log):
                raise OutOfScope(f"replica {r} has commit {rep.commit} outside its log of {len(rep.log)}")
            v[("up", r)], v[("ep", r)], v[("ln", r)], v[("cm", r)] = rep.up, rep.epoch, len(rep.log), rep.commit
            for i in range(L):
                if i < len(rep.log):
                    e = rep.log[i]
                    if e.lsn != i + 1:
                        raise OutOfScope(f"replica {r} holds LSN {e.lsn} at position {i + 1}")
                    vals = self.entry(e)
                else:
                    vals = NULL
                for f, x in zip(FIELDS, vals):
                    v[("log", r, i, f)] = x
        orch = state.orchestrator
        if orch.epoch > E:
            raise OutOfScope(f"epoch {orch.epoch} > {E}")
        v[("oe",)] = orch.epoch
        for e in range(1, E + 1):
            ap, pp = orch.roles[e - 1] if e <= orch.epoch else (0, 0)
            v[("rap", e)], v[("rpp", e)] = ap, pp
        v[("insync",)] = bool(getattr(orch, "pp_in_sync", True))
        for a, b in replica_pairs(len(cfg.datacenters)):
            v[("cut", a, b)] = (a, b) in state.cut
        for s, sess in enumerate(state.sessions):
            v[("srep", s)], v[("slg", s)] = sess.replica, sess.logical
            v[("stE", s)], v[("stL", s)] = sess.token.epoch, sess.token.lsn
        b = state.budget
        guard = tuple(getattr(b, "guard", ()))
        if len(guard) != 2:
            raise OutOfScope(f"the fault budget guards {guard}, not a pair")
        v[("gA",)], v[("gP",)] = guard
        v[("pend",)], v[("exc",)] = b.pending, b.exceeded
        self._ghost(state, v)
        missing = [k for k in self.keys if k not in v]
        assert not missing, missing
        return v

    def _ghost(self, state: State, v: dict) -> None:
        L, E, K = self.scope.log, self.scope.epochs, self.scope.slots
        slots: list[list[tuple]] = [[] for _ in range(L)]
        acker = {e: NO_ACKER for e in range(1, E + 1)}
        h = {name: False for name in LATCHES}
        last: dict = {}
        for ev in state.history:
            if isinstance(ev, Acked):
                i = ev.entry.lsn - 1
                if not 0 <= i < L:
                    raise OutOfScope(f"an entry was acknowledged at LSN {i + 1} > {L}")
                e = self.entry(ev.entry)
                if e not in slots[i]:
                    if len(slots[i]) == K:
                        raise OutOfScope(f"more than {K} distinct entries acknowledged at LSN {i + 1}")
                    slots[i].append(e)
                if len(ev.regions) < 2:
                    h["regions"] = True
                if not 1 <= ev.epoch <= E:
                    raise OutOfScope(f"an acknowledgement in epoch {ev.epoch}")
                if acker[ev.epoch] == NO_ACKER:
                    acker[ev.epoch] = ev.replica
                elif acker[ev.epoch] != ev.replica:
                    h["two_ackers"] = True
            elif isinstance(ev, ReadServed):
                seen = [self.entry(x) for x in ev.seen]
                for i in range(L):
                    for a in slots[i]:
                        if a[2] == ev.session and a[3] == ev.logical:
                            if not (len(seen) > i and seen[i] == a):
                                h["ryw"] = True
                for i, x in enumerate(seen):
                    if i >= L or x not in slots[i]:
                        h["lost"] = True
                key = (ev.session, ev.logical)
                if len(seen) < last.get(key, 0):
                    h["mono"] = True
                last[key] = max(last.get(key, 0), len(seen))
        for i in range(L):
            v[("ackn", i)] = len(slots[i])
            for k in range(K):
                for f, x in zip(FIELDS, slots[i][k] if k < len(slots[i]) else NULL):
                    v[("ack", i, k, f)] = x
        for e in range(1, E + 1):
            v[("acker", e)] = acker[e]
        for name in LATCHES:
            v[("h", name)] = h[name]
        for s, sess in enumerate(state.sessions):
            v[("last", s)] = last.get((s, sess.logical), 0)


def act_of(cfg: Config, action) -> Optional[tuple]:
    """The Z3 action (name, args) of a Python action, or None if the relation
    has no such action (an argument out of range, Partition(a, a), a Tick
    of fewer than one day...): then Python must reject it too."""
    from .actions import step_name
    from .symbolic import Act
    name = step_name(action)
    n = len(cfg.datacenters)

    def rep(x):
        return isinstance(x, int) and not isinstance(x, bool) and 0 <= x < n

    if name == "client_write":
        ok_session = action.session == SYSTEM or 0 <= action.session < cfg.sessions
        return Act(name, (action.at, action.session)) if rep(action.at) and ok_session else None
    if name in ("replicate_to_passive",):
        return Act(name, (action.source,)) if rep(action.source) else None
    if name in ("acknowledge", "replicate_to_secondary", "rejoin", "crash", "recover", "lose_disk"):
        return Act(name, (action.replica,)) if rep(action.replica) else None
    if name == "read":
        return Act(name, (action.session,)) if 0 <= action.session < cfg.sessions else None
    if name == "move_session":
        ok = 0 <= action.session < cfg.sessions and rep(action.replica)
        return Act(name, (action.session, action.replica)) if ok else None
    if name in ("partition", "heal"):
        a, b = action.a, action.b
        if not (rep(a) and rep(b)) or a == b:
            return None
        return Act(name, (min(a, b), max(a, b)))
    if name == "lose_region":
        return Act(name, (action.region,)) if 0 <= action.region < len(cfg.regions) else None
    if name == "emergency_failover":
        ok = rep(action.new_ap) and rep(action.new_pp) and action.new_ap != action.new_pp
        return Act(name, (action.new_ap, action.new_pp)) if ok else None
    if name == "planned_failover":
        return Act(name, ())
    if name == "replace_passive":
        return Act(name, (action.new_pp,)) if rep(action.new_pp) else None
    if name == "tick":
        return Act(name, ())
    return None
