"""Hypothesis stateful exploration of the model (issue 4).

`machine_class(config, options, stats)` builds a `RuleBasedStateMachine`
over `dirproof.model` with one rule per step kind (client_write,
replicate_to_passive, ..., tick). Each rule has a precondition "some action
of this kind is enabled". `RuleChoice` draws the kind by weight among the
enabled ones and the rule draws one of its enabled actions; both draws are
made by striking out what turns out to be disabled and drawing again, which
gives the same distribution as a draw among the enabled ones but steps the
model only on what was drawn (`ExplorationMachine.advance`). Nothing is
filtered after the fact: a drawn step is always taken. An invariant checks
every property under exploration after every step. Both
pytest (`machine_class(...).TestCase`) and the CLI engine
(`dirproof.hypothesis_engine`, through `explore`) use the same machine.

Fault budget (design.md §2): by default an action whose successor exceeds the
budget is not enabled for the exploration. With `Options.over_budget` it is,
and a property that breaks while `broken_assumptions(state)` is non-empty
raises `AssumptionBroken`, reported as status `assumption-broken`, never as
`violated` and never silently.

Situations (dirproof.situations) are named things that happen during a step
(an acknowledged write survives an emergency failover, a read pulls its own
write, ...); every one is counted, for coverage and reachability. The choice
of the next step is in dirproof.rule_choice, the polishing of a failing
trace in dirproof.polish. See docs/exploration.md.
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
from hypothesis.stateful import (RuleBasedStateMachine, invariant, precondition, rule,
                                 run_state_machine_as_test)

from dirproof.model import Config, Rejected, State, believes_ap, candidates, initial_state, step
from dirproof.polish import breaks_at, polish  # noqa: F401 (re-exported)
from dirproof.properties import PROPERTIES, broken_assumptions
from dirproof.rule_choice import (CLASS_OF, KIND_OF, MODES, ROLE_GROUPED, STEP_KINDS,  # noqa: F401
                                  WEIGHTS, _install_rule_choice, _no_swarm, _replicas_of, draw_index)
from dirproof.situations import REACHABILITY, SITUATIONS, Situation  # noqa: F401 (re-exported)

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
        cd = getattr(data, "conjecture_data", None)
        self.advance(kind, lambda n: draw_index(cd, n) if cd is not None
                     else data.draw(st.integers(0, n - 1), label=kind))

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
