"""Hypothesis exploration of the model (issue 4): the budget, rounds and findings.

`explore(config, ...)` runs examples (dirproof.explore_run: Hypothesis's
`@given(st.data())`, one random walk of up to `max_steps` model steps per
example, the next step's kind drawn by weight among the enabled kinds,
dirproof.rule_choice) and checks every property under exploration after
every step (dirproof.explore_walk). When a property breaks, the examples go
on for `collect` more and every failing one is kept; the shortest few are
made 1-minimal on plain replays (dirproof.polish) and the shortest is
reported as a `Finding`. The property then leaves the set (a property
broken only beyond the fault budget, design.md §2, is checked on within
it) and the exploration goes on for the others.

Situations (dirproof.situations) are named things that happen during a
step; every one is counted, for coverage and reachability. A Ctrl-C or
SIGTERM ends the exploration at the next step and is raised out of
`explore` (dirproof.explore_signals): no partial result is returned.
See docs/exploration.md.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections import Counter
from typing import Callable, Iterable, Optional

import attrs

from dirproof import explore_signals as signals
from dirproof.explore_run import Round, exploration_test, hypothesis_settings, run_batch  # noqa: F401
from dirproof.explore_types import (DEFAULT_MAX_STEPS, AssumptionBroken, Options,  # noqa: F401
                                    PropertyFailure, PropertyViolated, Stats, failure_type)
from dirproof.explore_walk import Node, Tree, Walker  # noqa: F401 (re-exported)
from dirproof.model import Config
from dirproof.polish import breaks_at, polish  # noqa: F401 (re-exported)
from dirproof.properties import PROPERTIES
from dirproof.rule_choice import CLASS_OF, KIND_OF, MODES, STEP_KINDS, WEIGHTS  # noqa: F401
from dirproof.situations import REACHABILITY, SITUATIONS, Situation  # noqa: F401 (re-exported)

# After the first failure, go on generating this many examples and keep every
# failing one: the shortest after polishing is reported (a shorter route
# through other actions is found faster by sampling more failures).
DEFAULT_COLLECT = 20
MAX_POLISHED = 8  # polish at most this many of them (the shortest first)
DEFAULT_BATCH = 50  # examples per Hypothesis run
HYPOTHESIS_BATCH = 10  # with backend "hypothesis" (a run of it cannot end early)


def derive_seed(seed: Optional[int], run: int) -> Optional[int]:
    """The Hypothesis seed of the `run`-th Hypothesis run of an exploration
    seeded with `seed` (None: Hypothesis's own random seed)."""
    if seed is None:
        return None
    if run == 0:
        return seed
    return int.from_bytes(hashlib.sha256(f"{seed}/{run}".encode()).digest()[:8], "big")


@attrs.define
class Finding:
    """A failure and when it was found.

    `failure` is the failure as the exploration met it (its steps as
    Hypothesis shrank them, with `shrink`); `steps` are the final steps
    after `polish` (the property breaks after the last one), and `message`
    the property's message there."""

    failure: PropertyFailure
    first_seconds: float  # from the start of the exploration to the first failing example
    shrunk_seconds: float  # from the start to the end of shortening (collect, polish)
    steps: tuple = ()
    message: str = ""
    first_length: Optional[int] = None  # steps of the first failing example, before shortening

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


@attrs.define
class _Explorer:
    """The state of one `explore` call: budget, active properties, rounds."""

    config: Config
    base: Options
    examples: Optional[int]
    deadline: Optional[float]
    seed: Optional[int]
    batch: int
    polish_steps: bool
    progress: Optional[Callable[[float, float, str], None]]
    out: Exploration
    start: float = attrs.Factory(time.perf_counter)
    active: list = attrs.Factory(list)
    in_budget_only: set = attrs.Factory(set)
    trees: dict = attrs.Factory(dict)  # Options -> Tree
    runs: int = 0  # Hypothesis runs so far (each has its own derived seed)
    later: Optional[int] = None  # examples per round after the first (None: `examples`)

    def report(self, stats: Stats) -> None:
        if self.progress is None:
            return
        if self.deadline is None:
            done, total = float(stats.examples), float(self.examples or 0)
        else:
            total = self.deadline - self.start
            done = min(total, time.perf_counter() - self.start)
        self.progress(done, total, f"round {self.out.rounds + 1}: {len(self.active)} properties, "
                                   f"{self.out.stats.examples + stats.examples} examples")

    def round(self) -> tuple[Stats, list[PropertyFailure]]:
        """Examples for the active properties until their failures are
        collected or the budget is spent (in Hypothesis runs of `batch`)."""
        options = attrs.evolve(self.base, properties=tuple(self.active),
                               check_in_budget_only=tuple(sorted(self.in_budget_only & set(self.active))))
        tree = self.trees.setdefault(options, Tree(self.config))
        stats = Stats(on_example=self.report)
        limit = self.later if self.later is not None and self.out.rounds else self.examples
        rnd = Round(self.config, options, stats, tree, limit=limit, deadline=self.deadline)
        while not rnd.done() and rnd.raised is None:
            before = stats.examples
            n = min(self.batch, rnd.left() or self.batch)
            if options.backend != "plain":
                n = min(n, HYPOTHESIS_BATCH)  # (its runs end only after max_examples: Round.skip)
            seed = derive_seed(self.seed, self.runs)
            # (the salt makes every run's walks its own: Hypothesis starts each
            # run with the same simplest draw, and often draws small seeds)
            run_batch(rnd, n, seed, salt=random.getrandbits(64) if seed is None else seed)
            self.runs += 1
            if stats.examples == before:
                break  # (Hypothesis ran nothing: its search space is exhausted)
        return stats, rnd.failures()

    def finding(self, f: PropertyFailure, stats: Stats) -> Finding:
        """`f` made 1-minimal: the shortest of the polished collected traces."""
        key = (f.property, f.status)
        first = stats.first_failure.get(key, time.perf_counter()) - self.start
        steps, message = f.steps, f.message
        if self.polish_steps:
            for tried in (f.steps,) + f.alternatives[:MAX_POLISHED - 1]:
                got = polish(self.config, tried, f.property, f.status)
                if tried is f.steps or len(got[0]) < len(steps):
                    steps, message = got
                signals.check()
        return Finding(f, first, time.perf_counter() - self.start, steps, message,
                       stats.first_failure_length.get(key))

    def account(self, stats: Stats, failures: list[PropertyFailure]) -> None:
        out = self.out
        out.rounds += 1
        for pid in self.active:
            out.checked_examples[pid] += stats.examples
            out.checked_steps[pid] += stats.steps
        for f in sorted(failures, key=lambda f: (f.property, f.status)):
            finding = self.finding(f, stats)
            if f.status == "violated":
                out.violated[f.property] = finding
                if f.property in self.active:
                    self.active.remove(f.property)
            else:
                out.over_budget.setdefault(f.property, finding)
                self.in_budget_only.add(f.property)
        out.stats.merge(stats)


def explore(config: Config, properties: Iterable[str] = tuple(PROPERTIES), *,
            examples: Optional[int] = None, seconds: Optional[float] = None,
            seed: Optional[int] = None, over_budget: bool = False, swarm: str = "modes",
            weighted: bool = True, max_steps: int = DEFAULT_MAX_STEPS,
            stop_when: Optional[Callable[["Exploration"], bool]] = None,
            progress: Optional[Callable[[float, float, str], None]] = None,
            batch: int = DEFAULT_BATCH, shrink: bool = False, collect: int = DEFAULT_COLLECT,
            backend: str = "plain", polish_steps: bool = True,
            later_examples: Optional[int] = None) -> Exploration:
    """Explore until every property has held for the budget or broken.

    Budget: `examples` examples (each of up to `max_steps` steps) per round,
    or `seconds` of wall-clock time in all. A round ends when a property
    breaks (after `collect` more examples, every failing one kept); the
    property then leaves the set and a new round, with a fresh example
    budget (`later_examples`, when given, else `examples`), explores the
    properties still holding. `stop_when(exploration)`
    may end it early (tests and the engine use it). `shrink` runs
    Hypothesis's shrinker on the first failure (backend "hypothesis" only);
    `polish_steps` makes the shortest few collected failures 1-minimal.
    A Ctrl-C or SIGTERM is raised out of `explore` (KeyboardInterrupt for
    Python's default SIGINT handler), never turned into a result.
    """
    if (examples is None) == (seconds is None):
        raise ValueError("give exactly one of examples and seconds")
    base = Options(tuple(properties), over_budget=over_budget, swarm=swarm, weighted=weighted,
                   max_steps=max_steps, collect=collect, backend=backend, shrink=shrink)
    with signals.deferred():
        start = time.perf_counter()
        run = _Explorer(config, base, examples, None if seconds is None else start + seconds, seed,
                        batch, polish_steps, progress, Exploration(config, base.properties),
                        start=start, active=list(base.properties), later=later_examples)
        while run.active:
            if run.deadline is not None and time.perf_counter() >= run.deadline:
                break
            stats, failures = run.round()
            signals.check()
            run.account(stats, failures)
            if stop_when is not None and stop_when(run.out):
                break
            if run.deadline is None and not failures:
                break  # every active property held for the whole budget
        run.out.seconds = time.perf_counter() - start
    return run.out
