"""Hypothesis stateful exploration of the model (issue 4).

`machine_class(config, options, stats)` builds a `RuleBasedStateMachine`
over `dirproof.model` with one rule per step kind (client_write,
replicate_to_passive, ..., tick). Each rule has a precondition "some action
of this kind is enabled" and draws its arguments as an index into the
enabled actions of that kind, so no draw is ever filtered or rejected. An
invariant checks every property under exploration after every step. Both
pytest (`machine_class(...).TestCase`) and the CLI engine
(`dirproof.hypothesis_engine`, through `explore`) use the same machine.

Fault budget (design.md §2): by default an action whose successor exceeds the
budget is not enabled for the exploration. With `Options.over_budget` it is,
and a property that breaks while `broken_assumptions(state)` is non-empty
raises `AssumptionBroken`, reported as status `assumption-broken`, never as
`violated` and never silently.

Situations (`SITUATIONS`) are named things that happen during a step (an
acknowledged write survives an emergency failover, a read pulls its own
write, ...). Every one is counted (coverage of each property's interesting
case); those marked `required` are reachability ("sometimes") checks that a
default run must reach. See docs/exploration.md.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from typing import Callable, Iterable, Optional

import attrs
from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from hypothesis.stateful import (RuleBasedStateMachine, invariant, precondition, rule,
                                 run_state_machine_as_test)

from dirproof.model import (ACTION_TYPES, GONE, LIVE, SOFT_DELETED, Acked, ClientWrite, Config,
                            EmergencyFailover, FailedOver, LoseDisk, LoseRegion,
                            PermanentDelete, PlannedFailover, Purge, Read, ReadServed,
                            RecoverFromBackup, Rejected, Rejoin, ReplicateToSecondary, Restore,
                            SoftDelete, State, acting_ap, believes_ap, candidates, initial_state, step,
                            step_name, view_of)
from dirproof.model.objects import default_attrs
from dirproof.properties import PROPERTIES, broken_assumptions

STEP_KINDS: tuple[str, ...] = tuple(step_name(c) for c in ACTION_TYPES)
KIND_OF: dict[type, str] = {c: step_name(c) for c in ACTION_TYPES}
CLASS_OF: dict[str, type] = {k: c for c, k in KIND_OF.items()}

# How often each rule is picked, relative to the others, among the rules whose
# precondition holds (see `RuleChoice`). The write path and the objects
# need many steps in a row; faults and failovers are cheap to reach and
# quickly make the model unavailable, so they are drawn less often. Measured
# in bench/explore.py; docs/exploration.md gives the figures.
WEIGHTS: dict[str, int] = {
    "client_write": 10, "replicate_to_passive": 8, "acknowledge": 8, "replicate_to_secondary": 4,
    "rejoin": 4, "read": 5, "move_session": 1, "crash": 1, "recover": 4, "lose_disk": 1,
    "partition": 1, "heal": 4, "lose_region": 1, "emergency_failover": 6, "planned_failover": 2,
    "replace_passive": 3, "tick": 2,
}
assert set(WEIGHTS) == set(STEP_KINDS)

DEFAULT_MAX_STEPS = 50
# Hypothesis shrinks with at most this many test runs (deterministic, unlike a
# time limit); `polish` finishes the job on plain replays.
DEFAULT_SHRINK_CALLS = 0
# After the first failure, go on generating this many examples and keep every
# failing one: the shortest after polishing is reported. (Hypothesis's
# shrinker changes one choice at a time; a shorter route through other
# actions is found faster by sampling more failures.)
DEFAULT_COLLECT = 20
MAX_POLISHED = 8  # polish at most this many of them (the shortest first)


@attrs.frozen
class Options:
    """How to explore.

    `properties`: the ids checked after every step; `check_in_budget_only`:
    ids checked only while no assumption is broken (their over-budget
    failure is already known); `over_budget`: actions may exceed the fault
    budget; `weighted`: rules are drawn by WEIGHTS (RuleChoice), not
    uniformly; `swarm`: per example, "modes" draws one of MODES (default),
    "kinds" a factor 1/0/boost per rule, "off" nothing, and "hypothesis"
    (only with weighted=False) keeps Hypothesis's own per-rule feature
    flags; `max_steps`: steps per example; `two_level`: draw a client
    write's operation type (a tick's jump, a fault's target role) before
    the action; `shrink_calls`, `collect`: see `explore`; `backend`:
    "plain" (PlainRandomProvider, default) or "hypothesis" (Hypothesis's
    own generation, with mutations)."""

    properties: tuple[str, ...] = tuple(PROPERTIES)
    check_in_budget_only: tuple[str, ...] = ()
    over_budget: bool = False
    swarm: str = "modes"
    weighted: bool = True
    max_steps: int = DEFAULT_MAX_STEPS
    two_level: bool = True
    shrink_calls: Optional[int] = None  # cap on Hypothesis's shrinking, in test runs (None: no cap)
    collect: int = 0  # examples to go on generating after a failure, for shorter ones
    backend: str = "plain"  # "plain": fresh random examples (PlainRandomProvider); "hypothesis"


# ---------------------------------------------------------------- violations

class PropertyFailure(AssertionError):
    """A property broke after the last of `steps` (1-based index `at`)."""

    status = "violated"

    def __init__(self, prop: str, message: str, config: Config, steps: tuple,
                 broken: tuple[str, ...] = ()):
        self.property = prop
        self.message = message
        self.config = config
        self.steps = steps
        self.at = len(steps)
        self.broken = broken
        self.alternatives: tuple = ()  # other failing step lists of the same property and status
        super().__init__(f"{self.status}: {prop} after step {self.at}: {message}")


class StopShrinking(KeyboardInterrupt):
    """Raised through Hypothesis when the budget after a failure is spent.

    Hypothesis lets a KeyboardInterrupt through at once, without recording
    the test case (any other exception would be recorded as this choice
    sequence's outcome, and contradict its earlier runs). `run_once` catches
    this subclass only; a real Ctrl-C goes on up."""


class PropertyViolated(PropertyFailure):
    status = "violated"


class AssumptionBroken(PropertyFailure):
    status = "assumption-broken"


_FAILURE_TYPES: dict[tuple[str, str], type] = {}


def failure_type(prop: str, status: str) -> type:
    """One exception class per (property, status), so that Hypothesis treats
    each as a distinct bug and shrinks it on its own (it tells bugs apart by
    exception type and origin) instead of sliding from one property to another."""
    key = (prop, status)
    if key not in _FAILURE_TYPES:
        base = PropertyViolated if status == "violated" else AssumptionBroken
        name = "".join(p.capitalize() for p in prop.split("-")) + base.__name__
        _FAILURE_TYPES[key] = type(name, (base,), {"__module__": __name__})
    return _FAILURE_TYPES[key]


# ---------------------------------------------------------------- situations

@attrs.frozen
class Situation:
    """Something that happens during one step, counted for coverage. A
    `required` situation is a reachability check: a default run on the safe
    design must reach it, or its green verdict is not worth much."""

    id: str
    statement: str
    property: Optional[str]  # the property whose interesting case it is
    required: bool
    detect: Callable[[State, object, State], bool] = attrs.field(repr=False, eq=False)


def _new_events(prev: State, nxt: State) -> tuple:
    return nxt.history[len(prev.history):]


def _holds(log: tuple, entry) -> bool:
    return len(log) >= entry.lsn and log[entry.lsn - 1] == entry


def _acked(state: State) -> list:
    return [ev.entry for ev in state.history if isinstance(ev, Acked)]


def _acked_survives_emergency(prev: State, action, nxt: State) -> bool:
    if not isinstance(action, EmergencyFailover):
        return False
    acked = _acked(prev)
    new_ap = nxt.replicas[nxt.orchestrator.ap]
    return bool(acked) and all(_holds(new_ap.log, e) for e in acked)


def _read_pulls_own_write(prev: State, action, nxt: State) -> bool:
    if not isinstance(action, Read):
        return False
    sess = prev.sessions[action.session]
    before = prev.replicas[sess.replica]
    if before.commit >= sess.token.lsn or nxt.replicas[sess.replica].commit <= before.commit:
        return False
    own = {ev.entry for ev in prev.history if isinstance(ev, Acked)
           and ev.entry.session == action.session and ev.entry.logical == sess.logical}
    served = [ev for ev in _new_events(prev, nxt) if isinstance(ev, ReadServed)]
    return any(e in own for ev in served for e in ev.seen[before.commit:])


def _deleted_day(log: tuple, entry) -> Optional[int]:
    """The day of the soft delete that `entry` (a restore, purge, ...) undoes."""
    for e in reversed(log[:entry.lsn - 1]):
        if isinstance(e.op, SoftDelete) and e.op.obj == entry.op.obj:
            return e.day
    return None


def _acked_ops(prev: State, nxt: State, op_type) -> list:
    out = []
    for ev in _new_events(prev, nxt):
        if isinstance(ev, Acked) and isinstance(ev.entry.op, op_type):
            out.append((ev, nxt.replicas[ev.replica].log))
    return out


def _acked_at_age(op_type, age_of: Callable[[Config], int]):
    def detect(prev: State, action, nxt: State) -> bool:
        for ev, log in _acked_ops(prev, nxt, op_type):
            day = _deleted_day(log, ev.entry)
            if day is not None and ev.entry.day - day == age_of(nxt.config):
                return True
        return False
    return detect


def _restore_keeps_attributes(prev: State, action, nxt: State) -> bool:
    for ev, log in _acked_ops(prev, nxt, Restore):
        rec = view_of(nxt.config, log[:ev.entry.lsn], ev.replica)[ev.entry.op.obj]
        if rec is not None and rec.attrs != default_attrs(nxt.config):
            return True
    return False


def _deposed_ap_takes_write(prev: State, action, nxt: State) -> bool:
    return isinstance(action, ClientWrite) and \
        prev.replicas[action.at].epoch < prev.orchestrator.epoch


def _divergent_suffix_dropped(prev: State, action, nxt: State) -> bool:
    if not isinstance(action, (Rejoin, EmergencyFailover)):
        return False
    return any(len(b.log) < len(a.log) for a, b in zip(prev.replicas, nxt.replicas))


def _several_failovers(prev: State, action, nxt: State) -> bool:
    return isinstance(action, (EmergencyFailover, PlannedFailover)) and \
        sum(isinstance(ev, FailedOver) and ev.kind != "replace-passive" for ev in nxt.history) >= 3


def _primary_disk_lost_with_acks(prev: State, action, nxt: State) -> bool:
    if not isinstance(action, (LoseDisk, LoseRegion)) or not _acked(prev):
        return False
    orch = prev.orchestrator
    return any(prev.replicas[r].log and not nxt.replicas[r].log for r in (orch.ap, orch.pp))


def _disk_loss_made_good(prev: State, action, nxt: State) -> bool:
    return prev.budget.pending and not nxt.budget.pending and not nxt.budget.exceeded


def _read_after_failover_with_token(prev: State, action, nxt: State) -> bool:
    if not isinstance(action, Read):
        return False
    tok = prev.sessions[action.session].token
    return tok.lsn > 0 and tok.epoch < prev.orchestrator.epoch


def _read_while_unacked(prev: State, action, nxt: State) -> bool:
    if not isinstance(action, Read):
        return False
    ap = acting_ap(prev)
    return ap is not None and len(prev.replicas[ap].log) > prev.replicas[ap].commit


def _read_while_ap_down(prev: State, action, nxt: State) -> bool:
    return isinstance(action, Read) and acting_ap(prev) is None


def _emergency_with_pp_up(prev: State, action, nxt: State) -> bool:
    return isinstance(action, EmergencyFailover) and action.new_ap == prev.orchestrator.pp


def _recovery_of_soft_deleted(prev: State, action, nxt: State) -> bool:
    for ev, log in _acked_ops(prev, nxt, RecoverFromBackup):
        rec = view_of(nxt.config, log[:ev.entry.lsn - 1], ev.replica)[ev.entry.op.obj]
        if rec is not None and rec.status == SOFT_DELETED:
            return True
    return False


def _tombstone_replicated(prev: State, action, nxt: State) -> bool:
    if not isinstance(action, ReplicateToSecondary):
        return False
    old, new = prev.replicas[action.replica].log, nxt.replicas[action.replica].log
    return any(isinstance(e.op, (PermanentDelete, Purge)) for e in new[len(old):])


def _failover_after_tombstone(prev: State, action, nxt: State) -> bool:
    if not isinstance(action, (EmergencyFailover, PlannedFailover)):
        return False
    ap = nxt.orchestrator.ap
    rep = nxt.replicas[ap]
    view = view_of(nxt.config, rep.log, ap)
    return any(rec is not None and rec.status == GONE for rec in view)


def _snapshot_recovery_of_live(prev: State, action, nxt: State) -> bool:
    for ev, log in _acked_ops(prev, nxt, RecoverFromBackup):
        rec = view_of(nxt.config, log[:ev.entry.lsn - 1], ev.replica)[ev.entry.op.obj]
        if rec is not None and rec.status == LIVE:
            return True
    return False


SITUATIONS: dict[str, Situation] = {s.id: s for s in (
    # The four reachability checks of issue 4.
    Situation("acked-write-survives-failover",
              "an emergency failover promotes a PP that holds every acknowledged write",
              "no-acked-write-lost", True, _acked_survives_emergency),
    Situation("read-pulls-own-write",
              "a session reads its own acknowledged write at a secondary that had to pull it",
              "read-your-writes", True, _read_pulls_own_write),
    Situation("restore-on-last-day",
              "a soft-deleted object is restored (acknowledged) at age retention - 1",
              "soft-delete-restorable", True, _acked_at_age(Restore, lambda c: c.retention_days - 1)),
    Situation("deposed-ap-takes-write",
              "a deposed AP, not yet aware of the new epoch, takes a client write",
              "one-history", True, _deposed_ap_takes_write),
    # Every property's interesting cases (coverage).
    Situation("several-failovers", "a third failover (emergency or planned) in one run",
              "no-acked-write-lost", True, _several_failovers),
    Situation("primary-disk-lost-with-acks", "the AP's or PP's disk is lost after acknowledgements",
              "no-acked-write-lost", True, _primary_disk_lost_with_acks),
    Situation("disk-loss-made-good", "the PP holds the AP's commits again after a primary's disk loss",
              "no-acked-write-lost", True, _disk_loss_made_good),
    Situation("divergent-suffix-dropped", "a rejoining replica or new PP drops a log suffix",
              "one-history", True, _divergent_suffix_dropped),
    Situation("read-after-failover-with-token",
              "a session with a token from an older epoch reads after a failover",
              "monotonic-reads", True, _read_after_failover_with_token),
    Situation("read-while-unacked", "a read while the AP holds unacknowledged entries",
              "no-read-of-lost-write", True, _read_while_unacked),
    Situation("restore-keeps-attributes", "a restore of an object with non-default attributes is acknowledged",
              "soft-delete-restorable", True, _restore_keeps_attributes),
    Situation("purge-at-retention", "a purge at age exactly retention is acknowledged",
              "no-early-purge", True, _acked_at_age(Purge, lambda c: c.retention_days)),
    Situation("recovery-of-soft-deleted", "a backup recovery of a soft-deleted object is acknowledged",
              "no-resurrection", True, _recovery_of_soft_deleted),
    Situation("recovery-of-live", "a backup recovery of a live object is acknowledged",
              "no-resurrection", True, _snapshot_recovery_of_live),
    Situation("tombstone-replicated", "a secondary copies a permanent delete or purge",
              "no-resurrection", True, _tombstone_replicated),
    Situation("failover-after-tombstone", "a failover to an AP that holds a deleted-for-good object",
              "no-resurrection", True, _failover_after_tombstone),
    Situation("emergency-failover-pp-up", "the AP is lost and the up PP is promoted",
              "bounded-write-unavailability", True, _emergency_with_pp_up),
    Situation("read-while-ap-down", "a read is served while no AP is serving",
              "bounded-write-unavailability", True, _read_while_ap_down),
)}

REACHABILITY: tuple[str, ...] = ("acked-write-survives-failover", "read-pulls-own-write",
                                 "restore-on-last-day", "deposed-ap-takes-write")


# ---------------------------------------------------------------- statistics

@attrs.define
class Stats:
    """What a run saw: examples, steps, step kinds, situations, first failure."""

    examples: int = 0
    steps: int = 0
    step_counts: Counter = attrs.Factory(Counter)
    situation_counts: Counter = attrs.Factory(Counter)
    first_failure: dict = attrs.Factory(dict)  # (property, status) -> perf_counter() when first raised
    first_failure_examples: dict = attrs.Factory(dict)  # (property, status) -> examples run by then
    first_failure_length: dict = attrs.Factory(dict)  # (property, status) -> its steps, unshrunk
    on_example: Optional[Callable[["Stats"], None]] = None

    def merge(self, other: "Stats") -> None:
        self.examples += other.examples
        self.steps += other.steps
        self.step_counts.update(other.step_counts)
        self.situation_counts.update(other.situation_counts)
        for k, v in other.first_failure.items():
            self.first_failure.setdefault(k, v)
            self.first_failure_examples.setdefault(k, other.first_failure_examples.get(k))
            self.first_failure_length.setdefault(k, other.first_failure_length.get(k))


# ---------------------------------------------------------------- the machine

class Node:
    """One state reached by a sequence of actions, with what was computed
    about it: enabled actions by kind, successors, the situations of the
    step into it, and the property verdict. The model is deterministic, so a
    node is shared by every example (and every shrink attempt) that replays
    the same prefix: Hypothesis replays prefixes thousands of times while it
    shrinks, and each replay then costs a dictionary look-up per step."""

    __slots__ = ("state", "cands", "moves", "any", "children", "seen", "verdict")

    def __init__(self, state: State) -> None:
        self.state = state
        self.cands: Optional[dict[str, list]] = None
        self.moves: dict[str, list] = {}
        self.any: dict[str, bool] = {}
        self.children: dict = {}  # action -> Node, or None when it is not enabled here
        self.seen: Optional[tuple[str, ...]] = None  # situations of the step into this node
        self.verdict = _UNCHECKED


_UNCHECKED = object()
MAX_NODES = 200_000  # the cache is dropped and restarted beyond this many states


class ExplorationMachine(RuleBasedStateMachine):
    """Base of the machines `machine_class` builds; see the module docstring."""

    config: Config
    options: Options
    stats: Stats
    _tree: dict  # {"root": Node, "size": int}, shared by the class's instances

    def __init__(self) -> None:
        super().__init__()
        self.factors: Optional[dict] = None  # swarm factors of this example, drawn at its first step
        self.rule_choice = self.options.weighted and _install_rule_choice(self)
        if not self.rule_choice and self.options.swarm != "hypothesis":
            _no_swarm(self)
        tree = self._tree
        if tree.get("root") is None or tree["size"] > MAX_NODES:
            tree["root"], tree["size"] = Node(initial_state(self.config)), 1
        self.node: Node = tree["root"]
        self.steps: list = []
        self.stats.examples += 1
        if self.stats.on_example is not None:
            self.stats.on_example(self.stats)
        found = self._found
        if found["from"] is not None:
            n = self.stats.examples - found["from"]
            calls = self.options.shrink_calls
            limit = None if found["shrink"] and calls is None else \
                self.options.collect + (calls if found["shrink"] else 0)
            if limit is not None and n > limit:
                # Done collecting (and shrinking): stop Hypothesis (a
                # BaseException goes through it); run_once reports what
                # was recorded.
                raise StopShrinking()

    @property
    def state(self) -> State:
        return self.node.state

    # --- enabled actions, by kind, computed lazily once per state
    def _candidates(self, kind: str) -> list:
        node = self.node
        if node.cands is None:
            node.cands = {}
        got = node.cands.get(kind)
        if got is None:
            got = node.cands[kind] = list(candidates(node.state, (CLASS_OF[kind],)))
        return got

    def _child(self, action) -> Optional[Node]:
        node = self.node
        try:
            return node.children[action]
        except KeyError:
            pass
        nxt = step(node.state, action)
        child = None
        if not isinstance(nxt, Rejected) and (
                self.options.over_budget or not nxt.budget.exceeded or node.state.budget.exceeded):
            # (the default exploration stays within the fault budget)
            child = Node(nxt)
            self._tree["size"] += 1
        node.children[action] = child
        return child

    def has_moves(self, kind: str) -> bool:
        """Some action of `kind` is enabled (stops at the first one found)."""
        node = self.node
        got = node.moves.get(kind)
        if got is not None:
            return bool(got)
        known = node.any.get(kind)
        if known is None:
            known = node.any[kind] = any(self._child(a) is not None for a in self._candidates(kind))
        return known

    def moves(self, kind: str) -> list:
        """Every enabled action of `kind`, with its node, in model order."""
        node = self.node
        got = node.moves.get(kind)
        if got is None:
            got = []
            for a in self._candidates(kind):
                child = self._child(a)
                if child is not None:
                    got.append((a, child))
            node.moves[kind] = got
        return got

    def groups(self, kind: str) -> list:
        """The candidate actions of `kind` (a superset of the enabled ones, in
        model order) in groups to draw from in two stages: a client write's
        operation type first (create, update, soft delete, ... purge), then
        the operation and session; so an operation that has one instance (a
        purge) is drawn as often as one that has many (the updates of every
        attribute by every session)."""
        node = self.node
        key = "#" + kind
        got = node.moves.get(key)
        if got is None:
            cands = self._candidates(kind)
            if kind == "client_write" and self.options.two_level:
                by: dict = {}
                for a in cands:
                    by.setdefault(type(a.op), []).append(a)
                got = list(by.values())
            elif kind == "tick" and self.options.two_level and len(cands) > 1:
                got = [cands[:1], cands[1:]]  # one day, or a jump to a retention boundary
            elif kind in ROLE_GROUPED and self.options.two_level:
                # a fault to a primary (the orchestrator's AP or PP, or a replica
                # that believes it is an AP) as often as one to any secondary
                orch = node.state.orchestrator
                prim = {orch.ap, orch.pp} | {r for r in range(len(node.state.replicas))
                                             if believes_ap(node.state, r)}
                hit = [a for a in cands if _replicas_of(a) & prim]
                rest = [a for a in cands if not _replicas_of(a) & prim]
                got = [g for g in (hit, rest) if g]
            else:
                got = [cands] if cands else []
            node.moves[key] = got
        return got

    def do(self, kind: str, data) -> None:
        self.advance(kind, lambda n: data.draw(st.integers(0, n - 1), label=kind))

    def advance(self, kind: str, pick: Callable[[int], int]) -> None:
        """Take an enabled action of `kind`; `pick(n)` chooses one of n.

        A group is drawn uniformly, then an action in it; an action the
        model rejects is struck out and the draw repeated (a group left
        empty is struck out too). This is exactly a uniform draw among the
        groups that hold an enabled action, then among its enabled actions,
        but it steps the model only on the actions drawn, not on every
        candidate of the state (the costliest part of exploring)."""
        groups = [list(g) for g in self.groups(kind)]
        while groups:
            gi = pick(len(groups)) if len(groups) > 1 else 0
            g = groups[gi]
            while g:
                i = pick(len(g)) if len(g) > 1 else 0
                child = self._child(g[i])
                if child is not None:
                    self._enter(kind, g[i], child)
                    return
                del g[i]
            del groups[gi]
        raise AssertionError(f"no {kind} step is enabled (its precondition said there was one)")

    def take(self, action) -> None:
        """Take this action (it must be enabled): for tests and replays."""
        child = self._child(action)
        if child is None:
            raise ValueError(f"{action!r} is not enabled here")
        self._enter(KIND_OF[type(action)], action, child)

    def _enter(self, kind: str, action, child: Node) -> None:
        if child.seen is None:
            prev, nxt = self.node.state, child.state
            child.seen = tuple(s.id for s in SITUATIONS.values() if s.detect(prev, action, nxt))
        self.steps.append(action)
        self.node = child
        stats = self.stats
        stats.steps += 1
        stats.step_counts[kind] += 1
        for sid in child.seen:
            stats.situation_counts[sid] += 1

    def verdict(self) -> Optional[tuple]:
        """(property, status, message, broken assumptions) of the first
        property under exploration that fails in this state, or None."""
        node = self.node
        if node.verdict is _UNCHECKED:
            node.verdict = None
            state = node.state
            broken = tuple(broken_assumptions(state))
            for pid in self.options.properties:
                if broken and pid in self.options.check_in_budget_only:
                    continue
                msg = PROPERTIES[pid].check(state)
                if msg:
                    node.verdict = (pid, "assumption-broken" if broken else "violated", msg, broken)
                    break
        return node.verdict

    @invariant()
    def properties_hold(self) -> None:
        got = self.verdict()
        if got is None:
            return
        pid, status, msg, broken = got
        steps = tuple(self.steps)
        found = self._found
        now = time.perf_counter()
        failure = failure_type(pid, status)(pid, msg, self.config, steps, broken)
        found["all"].setdefault((pid, status), {}).setdefault(steps, failure)
        self.stats.first_failure.setdefault((pid, status), now)
        self.stats.first_failure_examples.setdefault((pid, status), self.stats.examples)
        self.stats.first_failure_length.setdefault((pid, status), len(steps))
        if found["from"] is None:
            found["from"] = self.stats.examples
        # Hypothesis goes on generating after a failure (report_multiple_bugs);
        # every failing example is recorded here, and __init__ stops the run
        # `collect` examples after the first one.
        raise failure


def _make_rule(kind: str):
    def enabled_(self) -> bool:
        return self.has_moves(kind)

    def body(self, data) -> None:
        self.do(kind, data)

    body.__name__ = body.__qualname__ = kind
    enabled_.__name__ = f"{kind}_enabled"
    return precondition(enabled_)(rule(data=st.data())(body))


def machine_class(config: Config, options: Options = Options(),
                  stats: Optional[Stats] = None) -> type[ExplorationMachine]:
    """A RuleBasedStateMachine class over `config`: one rule per step kind.

    Its `TestCase` runs it under pytest; `explore` runs it for the CLI. The
    class counts into `stats` (a fresh Stats if none is given)."""
    unknown = set(options.properties) - set(PROPERTIES)
    if unknown:
        raise ValueError(f"unknown property id(s): {', '.join(sorted(unknown))}")
    ns = {kind: _make_rule(kind) for kind in STEP_KINDS}
    ns.update(config=config, options=options, stats=stats if stats is not None else Stats(),
              _tree={"root": None, "size": 0},
              _found={"from": None, "all": {}, "shrink": True})
    flaws = "+".join(config.flaws) or "safe"
    name = "Explore_" + "".join(c if c.isalnum() else "_" for c in f"{config.profile}_{flaws}")
    cls = type(name, (ExplorationMachine,), ns)
    cls.TestCase.settings = hypothesis_settings(max_examples=100, max_steps=options.max_steps,
                                                backend=options.backend)
    return cls


# ---------------------------------------------------------------- weighting and swarm

ROLE_GROUPED = frozenset({"crash", "recover", "lose_disk", "partition", "heal"})


def _replicas_of(action) -> set:
    return {getattr(action, f) for f in ("replica", "a", "b") if hasattr(action, f)}


class RuleChoice(SearchStrategy):
    """Hypothesis's rule choice, weighted: among the rules whose precondition
    holds, rule k is drawn with probability WEIGHTS[k] x its swarm factor /
    total. One integer is drawn per step (it shrinks towards the first
    enabled kind); the rule's `data` argument is then drawn as usual.

    Swarm ("kinds"): at the first step of an example a factor is drawn for
    every kind: 1 (as weighted), 0 (off for this example) or SWARM_BOOST
    (boosted); it shrinks towards 1. An example with every enabled kind off
    falls back to the plain weights."""

    def __init__(self, machine: "ExplorationMachine", rules: dict) -> None:
        super().__init__()
        self.machine = machine
        self.rules = rules

    def do_draw(self, data):
        m = self.machine
        if m.factors is None:
            m.factors = _draw_factors(data, m.options.swarm)
        # Rejection sampling: draw among the kinds with candidate actions, by
        # weight, and strike out a kind found to have no enabled action. The
        # outcome is a weighted draw among the enabled kinds, but only the
        # drawn kinds are tested for enabled actions.
        kinds = list(STEP_KINDS)
        weights = [_scaled(WEIGHTS[k], m.factors.get(k, 1)) for k in kinds]
        kind = _draw_enabled(data, m, kinds, weights)
        if kind is None:  # every enabled kind is off in this example: plain weights
            kind = _draw_enabled(data, m, [k for k, w in zip(kinds, weights) if not w],
                                 [WEIGHTS[k] for k, w in zip(kinds, weights) if not w])
        if kind is None:
            raise AssertionError("no step is enabled: the model has a state with no successor")
        return self.rules[kind], {"data": data.draw(st.data())}


def _draw_enabled(data, m: "ExplorationMachine", kinds: list, weights: list) -> Optional[str]:
    """A kind drawn by weight among those with an enabled action, or None."""
    kinds, weights = list(kinds), list(weights)
    while any(weights):
        x = data.draw(st.integers(0, sum(weights) - 1))
        for i, w in enumerate(weights):
            if x < w:
                break
            x -= w
        if m.has_moves(kinds[i]):
            return kinds[i]
        del kinds[i], weights[i]
    return None


SWARM_BOOST = 4


def _scaled(w: int, factor: float) -> int:
    return 0 if factor == 0 else max(1, round(w * factor))
SWARM_FACTORS = (1, 0, SWARM_BOOST)


FAULT_KINDS = ("crash", "lose_disk", "lose_region", "partition")
_CRASHY = {"crash": SWARM_BOOST, "emergency_failover": SWARM_BOOST, "lose_disk": 0, "lose_region": 0,
           "partition": 0, "read": 0.5, "tick": 0.5, "move_session": 0}
MODES: tuple[dict, ...] = (  # swarm "modes": one per example, shrinking towards the first
    # normal: the weights as they are
    {},
    # calm: no faults; time runs faster (soft delete, retention, purge, backups)
    {"crash": 0, "lose_disk": 0, "lose_region": 0, "partition": 0, "tick": SWARM_BOOST},
    # crashy: crashes and emergency failovers often, no disk, region or network loss
    _CRASHY,
    # laggy: crashy, and the copies to the PP and the secondaries are slow, so
    # failovers race with replication
    {**_CRASHY, "replicate_to_passive": 0.25, "replicate_to_secondary": 0.25},
)
MODE_NAMES = ("normal", "calm", "crashy", "laggy")


def _draw_factors(data, swarm: str) -> dict:
    if swarm == "kinds":
        pick = st.integers(0, len(SWARM_FACTORS) - 1)
        return {k: SWARM_FACTORS[data.draw(pick)] for k in STEP_KINDS}
    if swarm == "modes":
        return MODES[data.draw(st.integers(0, len(MODES) - 1))]
    return {}


def _install_rule_choice(machine: "ExplorationMachine") -> bool:
    """Put RuleChoice in place of Hypothesis's uniform rule strategy.

    This replaces one attribute (`_rules_strategy`) that Hypothesis 6's
    stateful runner draws each step from; if it is not there (another
    Hypothesis version), the machine keeps Hypothesis's own choice (uniform,
    with its own swarm testing), which is still sound, only slower to find
    deep states; tests/test_explore.py checks that RuleChoice is in place."""
    rs = getattr(machine, "_rules_strategy", None)
    rules = getattr(rs, "rules", None)
    if rs is None or not rules:
        return False
    by_name = {r.function.__name__: r for r in rules}
    if set(by_name) != set(STEP_KINDS):
        return False
    machine._rules_strategy = RuleChoice(machine, by_name)
    return True


def _no_swarm(machine: "ExplorationMachine") -> None:
    """Hypothesis's own rule choice with every rule enabled in every example."""
    from hypothesis.strategies._internal.featureflags import FeatureFlags
    rs = machine._rules_strategy
    if hasattr(rs, "enabled_rules_strategy"):
        rs.enabled_rules_strategy = st.just(FeatureFlags())


# ---------------------------------------------------------------- running

# ---------------------------------------------------------------- plain random generation

PLAIN_BACKEND = "dirproof-plain-random"

try:  # Hypothesis's (experimental) alternative-backend interface
    from hypothesis.internal.conjecture.providers import AVAILABLE_PROVIDERS, HypothesisProvider

    class PlainRandomProvider(HypothesisProvider):
        """Hypothesis's own provider (same seeded random choices), under a
        backend name of its own. With any backend but "hypothesis", the
        engine generates every example afresh from the seeded random source:
        no mutation of earlier examples (which copies spans of steps between
        them, up to five mutants per example) and no forced-novel prefixes.
        For this model that finds the deep flaws 2-5 times sooner, as an
        independent random walk per example does (docs/exploration.md).
        Shrinking and reporting are unchanged."""

    AVAILABLE_PROVIDERS.setdefault(PLAIN_BACKEND, "dirproof.explore.PlainRandomProvider")
except ImportError:  # pragma: no cover - another Hypothesis version
    PLAIN_BACKEND = None


def hypothesis_settings(max_examples: int, max_steps: int = DEFAULT_MAX_STEPS,
                        shrink: bool = True, backend: str = "plain") -> settings:
    phases = [Phase.generate, Phase.target] + ([Phase.shrink] if shrink else [])
    kw = {}
    if backend == "plain" and PLAIN_BACKEND:
        kw["backend"] = PLAIN_BACKEND
    try:
        return settings(max_examples=max_examples, stateful_step_count=max_steps, deadline=None,
                        database=None, derandomize=False, print_blob=False,
                        report_multiple_bugs=True, verbosity=Verbosity.quiet, phases=phases,
                        suppress_health_check=list(HealthCheck), **kw)
    except Exception:  # pragma: no cover - no `backend` setting: Hypothesis's own generation
        return hypothesis_settings(max_examples, max_steps, shrink, backend="hypothesis")


def run_once(config: Config, options: Options, *, examples: int, seed: Optional[int],
             stats: Stats, shrink: bool = True) -> list[PropertyFailure]:
    """One Hypothesis run: the (shrunk) failures it found, one per
    (property, status), or [] when every property held in every example."""
    cls = machine_class(config, options, stats)

    def factory():
        return cls()

    if seed is not None:
        factory = hypothesis_seed(seed)(factory)
    # The shrink phase is always on: Hypothesis only goes on generating after a
    # failure when it is (and its shrink runs yield more failing traces too);
    # __init__ stops the run when `collect` (+ `shrink_calls`) runs are spent.
    cls._found["shrink"] = shrink and options.shrink_calls != 0
    reported: list[PropertyFailure] = []
    try:
        run_state_machine_as_test(factory, settings=hypothesis_settings(
            examples, options.max_steps, True, options.backend))
    except StopShrinking:
        pass
    except PropertyFailure as exc:
        reported = [exc]
    except BaseExceptionGroup as group:
        found, other = group.split(PropertyFailure)
        if other is not None:
            raise other
        reported = list(_leaves(found))
    out = []
    for key, by_steps in cls._found["all"].items():
        alts = sorted(by_steps.values(), key=lambda f: len(f.steps))
        best = next((f for f in reported if (f.property, f.status) == key), alts[0])
        best.alternatives = tuple(f.steps for f in alts if f.steps != best.steps)
        out.append(best)
    return out


def _leaves(group: BaseException) -> Iterable[PropertyFailure]:
    for exc in getattr(group, "exceptions", (group,)):
        if isinstance(exc, BaseExceptionGroup):
            yield from _leaves(exc)
        else:
            yield exc


def derive_seed(seed: Optional[int], round_: int) -> Optional[int]:
    if seed is None:
        return None
    if round_ == 0:
        return seed
    return int.from_bytes(hashlib.sha256(f"{seed}/{round_}".encode()).digest()[:8], "big")


@attrs.define
class Finding:
    """A shrunk failure and when it was found.

    `failure` is what Hypothesis reported (its steps as Hypothesis shrank
    them); `steps` are the final steps after `polish` (the property breaks
    after the last one), and `message` the property's message there."""

    failure: PropertyFailure
    first_seconds: float  # from the start of the exploration to the first failing example
    shrunk_seconds: float  # from the start to the end of shrinking (Hypothesis, then polish)
    steps: tuple = ()
    message: str = ""
    first_length: Optional[int] = None  # steps of the first failing example, before shrinking

    @property
    def status(self) -> str:
        return self.failure.status

    @property
    def at(self) -> int:
        return len(self.steps)

    @property
    def property(self) -> str:  # (defined last: it shadows the builtin in this class body)
        return self.failure.property


@attrs.define
class Exploration:
    """The outcome of `explore`: findings per property, what was checked, coverage."""

    config: Config
    properties: tuple[str, ...]
    violated: dict = attrs.Factory(dict)  # property -> Finding (within the fault budget)
    over_budget: dict = attrs.Factory(dict)  # property -> Finding (assumption broken)
    checked_examples: Counter = attrs.Factory(Counter)  # property -> examples it was checked in
    checked_steps: Counter = attrs.Factory(Counter)
    stats: Stats = attrs.Factory(Stats)
    seconds: float = 0.0
    rounds: int = 0

    def unreached(self) -> list[str]:
        return [s for s in REACHABILITY if not self.stats.situation_counts[s]]

    def coverage(self) -> dict:
        """How often each step kind fired and each situation occurred (every
        one listed, zeros too), as the CLI prints it and its JSON holds it."""
        st = self.stats
        return {
            "examples": st.examples, "steps": st.steps,
            "step_counts": {k: st.step_counts[k] for k in STEP_KINDS},
            "situations": [{"situation": s.id, "property": s.property, "count": st.situation_counts[s.id],
                            "reachability": s.id in REACHABILITY, "statement": s.statement}
                           for s in SITUATIONS.values()],
            "unreached": self.unreached(),
        }


def explore(config: Config, properties: Iterable[str] = tuple(PROPERTIES), *,
            examples: Optional[int] = None, seconds: Optional[float] = None,
            seed: Optional[int] = None, over_budget: bool = False, swarm: str = "modes",
            weighted: bool = True, max_steps: int = DEFAULT_MAX_STEPS,
            stop_when: Optional[Callable[["Exploration"], bool]] = None,
            progress: Optional[Callable[[float, float, str], None]] = None,
            batch: int = 50, shrink: bool = True,
            shrink_calls: Optional[int] = DEFAULT_SHRINK_CALLS,
            collect: int = DEFAULT_COLLECT, backend: str = "plain",
            polish_steps: bool = True) -> Exploration:
    """Explore until every property has held for the budget or broken.

    Budget: `examples` examples (each of up to `max_steps` steps) in which a
    property is checked, or `seconds` of wall-clock time (in batches of
    `batch` examples). When a run finds a property broken, Hypothesis shrinks
    the example; the property then leaves the set (a property broken only
    beyond the fault budget is checked on within it) and the exploration
    goes on, with a fresh budget, for the properties still holding.
    `stop_when(exploration)` may end it early (tests use it).

    Shrinking: after the first failure, `collect` more examples are generated
    and every failing one is kept; Hypothesis shrinks (`shrink`, at most
    `shrink_calls` test runs; 0 turns it off); then `polish` removes every
    step it can from the shortest few (`polish_steps`) and the shortest
    result is reported.
    """
    if (examples is None) == (seconds is None):
        raise ValueError("give exactly one of examples and seconds")
    props = tuple(properties)
    out = Exploration(config, props)
    start = time.perf_counter()
    deadline = start + seconds if seconds is not None else None
    in_budget_only: set[str] = set()
    active = list(props)
    total = float(examples if examples is not None else seconds)

    def report(stats: Stats) -> None:
        if progress is None:
            return
        if deadline is None:
            done = stats.examples
        else:
            done = min(total, time.perf_counter() - start)
        progress(done, total, f"round {out.rounds + 1}: {len(active)} properties, "
                              f"{out.stats.examples + stats.examples} examples")

    round_ = 0
    while active:
        if deadline is not None and time.perf_counter() >= deadline:
            break
        n = examples if deadline is None else batch
        options = Options(tuple(active), tuple(in_budget_only & set(active)), over_budget, swarm,
                          weighted, max_steps, shrink_calls=shrink_calls, collect=collect,
                          backend=backend)
        stats = Stats(on_example=report)
        failures = run_once(config, options, examples=n, seed=derive_seed(seed, round_),
                            stats=stats, shrink=shrink)
        now = time.perf_counter()
        out.rounds += 1
        round_ += 1
        for pid in active:
            out.checked_examples[pid] += stats.examples
            out.checked_steps[pid] += stats.steps
        for f in sorted(failures, key=lambda f: (f.property, f.status)):
            first = stats.first_failure.get((f.property, f.status), now) - start
            if polish_steps:
                tries = [f.steps] + list(f.alternatives[:MAX_POLISHED - 1])
                steps, message = min((polish(config, t, f.property, f.status) for t in tries),
                                     key=lambda sm: len(sm[0]))
            else:
                steps, message = f.steps, f.message
            finding = Finding(f, first, time.perf_counter() - start, steps, message,
                              stats.first_failure_length.get((f.property, f.status)))
            if f.status == "violated":
                out.violated[f.property] = finding
                if f.property in active:
                    active.remove(f.property)
            else:
                out.over_budget.setdefault(f.property, finding)
                in_budget_only.add(f.property)
        out.stats.merge(stats)
        if stop_when is not None and stop_when(out):
            break
        if deadline is None and not failures:
            break  # every active property held for the whole budget
    out.seconds = time.perf_counter() - start
    return out


def breaks_at(config: Config, steps: Iterable, prop: str, status: str = "violated") -> Optional[int]:
    """Rerun `steps` on the model from the initial state; the 1-based index
    of the first step after which `prop` breaks, or None if it never does or
    a step is rejected. For status "violated" the break must come while no
    assumption is broken (a break beyond the fault budget then counts as
    None); for "assumption-broken" it must come beyond it."""
    check = PROPERTIES[prop].check
    state = initial_state(config)
    for i, action in enumerate(steps, 1):
        state = step(state, action)
        if isinstance(state, Rejected):
            return None
        if check(state):
            beyond = bool(broken_assumptions(state))
            return i if beyond == (status == "assumption-broken") else None
    return None


def replay(config: Config, steps: Iterable, prop: str) -> Optional[int]:
    """Rerun `steps` on the model; the 1-based index of the first step after
    which `prop` breaks, or None if every step runs and it never does.
    Raises ValueError if a step is rejected."""
    state = initial_state(config)
    for i, action in enumerate(steps, 1):
        nxt = step(state, action)
        if isinstance(nxt, Rejected):
            raise ValueError(f"step {i} ({action!r}) is rejected: {nxt.reason}")
        state = nxt
        if PROPERTIES[prop].check(state):
            return i
    return None


POLISH_PAIRS_UP_TO = 30


def polish(config: Config, steps: Iterable, prop: str, status: str = "violated") -> tuple[tuple, str]:
    """Remove steps while `prop` still breaks (with the same status) after the
    last one: chunks of halving size, then single steps, to a fixed point
    (1-minimal: no single step can be removed). Returns the steps and the
    property's message after the last one. Hypothesis's shrinker gets most
    of the way; this cheap pass over plain replays makes sure of the rest."""
    cur = tuple(steps)
    at = breaks_at(config, cur, prop, status)
    if at is None:
        raise ValueError(f"{prop} does not break ({status}) on these steps")
    cur = cur[:at]
    size = max(1, len(cur) // 2)
    while True:
        changed = False
        i = 0
        while i < len(cur):
            cand = cur[:i] + cur[i + size:]
            got = breaks_at(config, cand, prop, status) if cand else None
            if got is not None:
                cur, changed = cand[:got], True
            else:
                i += size
        if size > 1:
            size //= 2
        elif not changed:
            break
    # Pairs of steps that only go together (a crash and its recovery, a
    # partition and its healing): try removing two at once.
    if len(cur) <= POLISH_PAIRS_UP_TO:
        again = True
        while again:
            again = False
            for i in range(len(cur)):
                for j in range(i + 1, len(cur)):
                    cand = cur[:i] + cur[i + 1:j] + cur[j + 1:]
                    got = breaks_at(config, cand, prop, status) if cand else None
                    if got is not None:
                        cur, again = cand[:got], True
                        break
                if again:
                    break
    state = initial_state(config)
    for a in cur:
        state = step(state, a)
    return cur, PROPERTIES[prop].check(state) or ""
