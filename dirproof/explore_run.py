"""Hypothesis runs of the exploration, through Hypothesis's public API only.

Each example is a `@given(st.data())` test: it draws the example's swarm
factors (dirproof.rule_choice), then up to `max_steps` steps, each a kind by
weight among the enabled ones and an enabled action of that kind
(dirproof.explore_walk), and checks the properties after every step.

* Backend "plain" (the default): the example's first draw, a 64-bit integer,
  seeds a `random.Random` that makes every further choice. Each example is
  an independent random walk, which finds the deep flaws sooner than
  Hypothesis's mutation of earlier examples (docs/exploration.md), and a
  choice costs a fraction of a microsecond.
* Backend "hypothesis": every choice is a `data.draw(st.integers(0, n - 1))`,
  so Hypothesis's generator mutates examples and its shrinker (`shrink`)
  can shorten a failing one.

A `Round` decides when its examples stop doing anything: after `collect`
examples past the first failure, when the example budget or the deadline is
spent, or when a signal is pending (dirproof.explore_signals). The examples
left in a Hypothesis run then pass at once (after the same first draw, so
the run stays consistent): Hypothesis has no public way to end a run early,
and a run is kept short (`batch` examples) so that few are left. (With the
"hypothesis" backend only a signal does that: `Round.skip`.) While
collecting, an example is no longer than the shortest failure so far.

Failures are recorded by the round itself, not reported through Hypothesis
(which would stop generating at the first and shrink it); only with
`shrink` does the example raise its failure, for Hypothesis's shrinker.
"""

from __future__ import annotations

import random
import time
from typing import Callable, Optional

import attrs
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from dirproof import explore_signals as signals
from dirproof.explore_types import Options, PropertyFailure, Stats, failure_type
from dirproof.explore_walk import Tree, Walker
from dirproof.model import Config
from dirproof.rule_choice import Pick, draw_factors, draw_kind, kind_weights

SEED_BITS = 64
_SEED = st.integers(0, 2 ** SEED_BITS - 1)


@attrs.define
class Round:
    """The examples run for one set of properties until their failures are
    collected or the budget is spent; what they found, by (property, status)
    and step list."""

    config: Config
    options: Options
    stats: Stats
    tree: Tree
    limit: Optional[int] = None  # examples at most (None: until the deadline)
    deadline: Optional[float] = None  # time.perf_counter() to stop at
    found: dict = attrs.Factory(dict)  # (property, status) -> {steps: PropertyFailure}
    first_at: Optional[int] = None  # examples run when the first failure came
    raise_failures: bool = False  # an example raises its failure (for Hypothesis: pytest, shrinking)
    raised: Optional[PropertyFailure] = None  # the failure Hypothesis reported (raise_failures)

    def done(self) -> bool:
        """Nothing more to explore in this round."""
        if signals.pending():
            return True
        if self.raise_failures and self.first_at is not None:
            return False  # Hypothesis shrinks or replays: every example must run as it did before
        return self.left() == 0 or self.deadline is not None and time.perf_counter() >= self.deadline

    def left(self) -> Optional[int]:
        """Examples left to run in this round, if it is counted in examples."""
        left = None if self.limit is None else self.limit - self.stats.examples
        if self.first_at is not None:
            collect = self.first_at + self.options.collect - self.stats.examples
            left = collect if left is None else min(left, collect)
        return None if left is None else max(0, left)

    def skip(self) -> bool:
        """The next example is to pass at once. A plain example has made its
        only Hypothesis draw by then; an example drawn from Hypothesis's
        choices must not stop earlier than one with the same choices did
        (Hypothesis checks it), so with that backend a run only ends early
        on a signal (and `run_batch` keeps its runs short instead)."""
        return self.done() if self.options.backend == "plain" else signals.pending()

    def record(self, walker: Walker, verdict: tuple) -> PropertyFailure:
        pid, status, msg, broken = verdict
        steps = tuple(walker.steps)
        failure = failure_type(pid, status)(pid, msg, self.config, steps, broken)
        self.found.setdefault((pid, status), {}).setdefault(steps, failure)
        stats = self.stats
        stats.first_failure.setdefault((pid, status), time.perf_counter())
        stats.first_failure_examples.setdefault((pid, status), stats.examples)
        stats.first_failure_length.setdefault((pid, status), len(steps))
        if self.first_at is None:
            self.first_at = stats.examples
        return failure

    def example(self, pick: Pick) -> Optional[PropertyFailure]:
        """One example: a walk of up to `max_steps` steps; the failure that
        ended it, if any."""
        self.stats.examples += 1
        if self.stats.on_example is not None:
            self.stats.on_example(self.stats)
        walker = Walker(self.config, self.options, self.tree, self.stats)
        weights = kind_weights(draw_factors(pick, self.options.swarm), self.options.weighted)
        for _ in range(self.step_limit()):
            walker.advance(draw_kind(pick, walker.has_moves, weights), pick)
            verdict = walker.verdict()
            if verdict is not None:
                return self.record(walker, verdict)
            if signals.pending():
                return None
        return None

    def step_limit(self) -> int:
        """Steps in the next example: `max_steps`; while collecting, no more
        than the shortest failure so far (a longer walk could only add a
        longer failing trace, and costs the most)."""
        if self.first_at is None or self.raise_failures:
            return self.options.max_steps
        shortest = min(len(steps) for found in self.found.values() for steps in found)
        return min(self.options.max_steps, shortest)

    def failures(self) -> list[PropertyFailure]:
        """One failure per (property, status): Hypothesis's shrunk one if it
        shrank, else the shortest; the others as its `alternatives`."""
        out = []
        for key, by_steps in self.found.items():
            alts = sorted(by_steps.values(), key=lambda f: len(f.steps))
            raised = self.raised
            best = raised if raised is not None and (raised.property, raised.status) == key else alts[0]
            best.alternatives = tuple(f.steps for f in alts if f.steps != best.steps)
            out.append(best)
        return out


def _chooser(data, backend: str, salt: int) -> Pick:
    first = data.draw(_SEED)
    if backend == "plain":
        rng = random.Random((salt << SEED_BITS) | first)
        return rng.randrange
    strategies: dict[int, st.SearchStrategy] = {}

    def pick(n: int) -> int:
        s = strategies.get(n)
        if s is None:
            s = strategies[n] = st.integers(0, n - 1)
        return data.draw(s)
    return pick


def hypothesis_settings(max_examples: int, shrink: bool = False) -> settings:
    """Generation only (no database, no deadline, no health checks: an
    example is slow on purpose); the shrink phase with `shrink`."""
    phases = [Phase.generate] + ([Phase.shrink] if shrink else [])
    return settings(max_examples=max_examples, deadline=None, database=None, derandomize=False,
                    print_blob=False, report_multiple_bugs=False, verbosity=Verbosity.quiet,
                    phases=phases, suppress_health_check=list(HealthCheck))


def example_test(rnd: Round, salt: int = 0) -> Callable[[], None]:
    """A Hypothesis test function whose every example is one of `rnd`'s
    (raising its failure when `rnd.raise_failures`)."""
    @given(st.data())
    def explore_example(data) -> None:
        pick = _chooser(data, rnd.options.backend, salt)
        if rnd.skip():
            return
        failure = rnd.example(pick)
        if failure is not None and rnd.raise_failures:
            raise failure
    return explore_example


def run_batch(rnd: Round, examples: int, seed: Optional[int], salt: int) -> None:
    """One Hypothesis run of at most `examples` examples of `rnd`. A pending
    signal is handed over (dirproof.explore_signals.check) when it ends, so
    that it wins over anything the run raised."""
    rnd.raise_failures = rnd.options.shrink
    test = settings(hypothesis_settings(examples, rnd.options.shrink))(example_test(rnd, salt))
    if seed is not None:
        test = hypothesis_seed(seed)(test)
    try:
        test()
    except PropertyFailure as exc:  # (only with raise_failures: Hypothesis's shrunk example)
        rnd.raised = exc
    finally:
        signals.check()


def exploration_test(config: Config, options: Options = Options(), max_examples: int = 100,
                     stats: Optional[Stats] = None) -> Callable[[], None]:
    """The exploration as a plain Hypothesis test (for pytest): it raises
    the first PropertyFailure it meets (shrunk when `options.shrink`)."""
    rnd = Round(config, options, stats if stats is not None else Stats(), Tree(config),
                raise_failures=True)
    return settings(hypothesis_settings(max_examples, options.shrink))(example_test(rnd))
