"""The Hypothesis exploration itself (dirproof.explore): rules and their
preconditions, arguments drawn from the enabled actions, the fault budget,
reachability and coverage of the default run, shrunk counterexamples that
replay on the model, and the pytest face of the state machine.

Flaw adequacy (every flaw caught by its property) is in test_flaw_adequacy.py;
the CLI in test_cli_check.py. Seeds are fixed; no Hypothesis database is used.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from dirproof import explore as E
from dirproof import rule_choice
from dirproof.hypothesis_engine import DEFAULT_EXAMPLES
from dirproof.model import (FLAWS, Crash, EmergencyFailover, LoseDisk, Recover, Rejected, enabled,
                            initial_state, make_config, step)
from dirproof.properties import PROPERTIES, broken_assumptions
from scenarios import A1, B1, SCENARIOS

SAFE = make_config("entra")


def machine(config=SAFE, **options):
    return E.Walker(config, E.Options(**options))


def walk(m, n, rng):
    """Take n random steps on a walker (uniformly among the enabled kinds)."""
    for _ in range(n):
        kinds = [k for k in E.STEP_KINDS if m.has_moves(k)]
        m.advance(rng.choice(kinds), lambda k: rng.randrange(k))


# ---------------------------------------------------------------- the walk

def test_the_arguments_are_exactly_the_enabled_actions_of_the_kind():
    """A rule draws from the enabled actions of its kind (in model order), so
    no draw is ever filtered; its precondition is true exactly when there is one."""
    rng = random.Random(4)
    for flaws in ([], ["no-fencing"], ["ship-unacked"]):
        m = machine(make_config("entra", flaws=flaws), over_budget=True)
        for _ in range(6):
            want: dict = {}
            for action, succ in enabled(m.state):
                want.setdefault(E.KIND_OF[type(action)], []).append((action, succ))
            for kind in E.STEP_KINDS:
                got = m.moves(kind)
                assert [a for a, _ in got] == [a for a, _ in want.get(kind, [])], kind
                assert [n.state for _, n in got] == [s for _, s in want.get(kind, [])], kind
                assert m.has_moves(kind) == bool(want.get(kind))
                drawn = [a for g in m.groups(kind) for a in g]
                assert len(drawn) == len(set(drawn)), kind  # each candidate in one group
                assert {a for a, _ in got} <= set(drawn), kind  # every enabled action can be drawn
            walk(m, 7, rng)


class _Branch(Exception):
    def __init__(self, n: int) -> None:
        self.n = n


def _exact_distribution(run) -> dict:
    """Every outcome of `run(pick)` with its exact probability, when each
    pick(n) is uniform over 0..n-1: a walk of the whole tree of choices."""
    dist: dict = {}
    stack = [()]
    while stack:
        prefix = stack.pop()
        seen, prob = [], Fraction(1)

        def pick(n, prefix=prefix, seen=seen):
            nonlocal prob
            if len(seen) == len(prefix):
                raise _Branch(n)
            seen.append(prefix[len(seen)])
            prob /= n
            return seen[-1]
        try:
            out = run(pick)
        except _Branch as b:
            stack += [prefix + (v,) for v in range(b.n)]
            continue
        dist[out] = dist.get(out, 0) + prob
    return dist


def test_striking_out_disabled_draws_is_a_draw_among_the_enabled_ones():
    """`advance` and `draw_enabled` step the model only on what they draw, and
    strike out what is disabled; the result must be exactly the draw the
    weights describe among the ENABLED groups, actions and kinds (computed
    here over every choice sequence, with exact fractions)."""
    state = initial_state(SAFE)
    for a in (Crash(A1), Crash(B1), Recover(B1)):  # some failovers are enabled, most are not
        state = step(state, a)
    want_enabled: dict = {}
    for action, _ in enabled(state):
        want_enabled.setdefault(E.KIND_OF[type(action)], []).append(action)
    checked = 0
    for kind in E.STEP_KINDS:
        m = machine()
        m.node = E.Node(state)
        cands = m._candidates(kind)
        if not want_enabled.get(kind) or len(cands) > 8 or len(cands) == len(want_enabled[kind]):
            continue  # (the walk over every choice sequence grows as n!; one needs a disabled one)
        checked += 1

        def run(pick, kind=kind):
            m = machine()
            m.node = E.Node(state)
            m.advance(kind, pick)
            return m.steps[-1]
        got = _exact_distribution(run)
        m = machine()
        m.node = E.Node(state)
        groups = [[a for a in g if a in want_enabled[kind]] for g in m.groups(kind)]
        groups = [g for g in groups if g]
        want = {a: Fraction(1, len(groups) * len(g)) for g in groups for a in g}
        assert got == want, kind
    assert checked >= 2, "the state should have kinds with enabled and disabled candidates"

    # five kinds: with the AP down, crash, recover and emergency_failover are
    # enabled here, replace_passive and heal (nothing is cut) are not
    kinds = ["crash", "recover", "emergency_failover", "replace_passive", "heal"]
    weights = [1, 2, 3, 1, 2]

    def run_kinds(pick):
        m = machine()
        m.node = E.Node(state)
        return rule_choice.draw_enabled(pick, m.has_moves, kinds, weights)
    got = _exact_distribution(run_kinds)
    on = {k: w for k, w in zip(kinds, weights) if want_enabled.get(k)}
    assert 0 < len(on) < len(kinds), "some of the kinds are enabled, some not"
    assert got == {k: Fraction(w, sum(on.values())) for k, w in on.items()}


def test_the_distribution_check_catches_a_biased_draw(monkeypatch):
    """The check above can fail: a draw that always takes the first enabled
    action (in model order) instead of a uniform one is caught."""
    def biased(self, kind, pick):
        for a in (a for g in self.groups(kind) for a in g):
            child = self._child(a)
            if child is not None:
                return self._enter(kind, a, child)
    monkeypatch.setattr(E.Walker, "advance", biased)
    with pytest.raises(AssertionError):
        test_striking_out_disabled_draws_is_a_draw_among_the_enabled_ones()


def test_the_kind_is_drawn_by_weight_times_the_swarm_factor_among_the_enabled_kinds():
    """`draw_kind`, in every swarm mode: exactly WEIGHTS x the mode's factor,
    normalised over the enabled kinds (a kind the mode turns off is never
    drawn while another enabled kind is on). Two kinds are disabled (more
    would make the walk over every choice sequence too long)."""
    disabled = {"rejoin", "tick"}
    on = [k for k in E.STEP_KINDS if k not in disabled]
    for mode in E.MODES:
        weights = rule_choice.kind_weights(mode)
        got = _exact_distribution(lambda pick: rule_choice.draw_kind(
            pick, lambda k: k not in disabled, weights))
        want = {k: w for k, w in zip(E.STEP_KINDS, weights) if k in on and w}
        assert got == {k: Fraction(w, sum(want.values())) for k, w in want.items()}, mode
        assert all(mode.get(k, 1) for k in got), "a kind turned off in this mode was drawn"
    # every enabled kind off in this example: the plain weights among them
    off = rule_choice.kind_weights({k: 0 for k in on})
    got = _exact_distribution(lambda pick: rule_choice.draw_kind(pick, lambda k: k not in disabled, off))
    assert got == {k: Fraction(E.WEIGHTS[k], sum(E.WEIGHTS[j] for j in on)) for k in on}


def test_the_same_seed_gives_the_same_exploration():
    """--seed reproduces a run: same examples, steps, counts and findings."""
    cfg = make_config("entra", flaws=["read-ignores-token"])
    runs = [E.explore(cfg, examples=30, seed=7, batch=10) for _ in range(2)]
    a, b = (r.stats for r in runs)
    assert (a.examples, a.steps, a.step_counts, a.situation_counts) == \
        (b.examples, b.steps, b.step_counts, b.situation_counts)
    assert {p: f.steps for p, f in runs[0].violated.items()} == \
        {p: f.steps for p, f in runs[1].violated.items()}
    other = E.explore(cfg, examples=30, seed=8, batch=10).stats
    assert (other.steps, other.step_counts) != (a.steps, a.step_counts), "the seed is used"


def test_by_default_no_step_goes_over_the_fault_budget():
    state = initial_state(SAFE)
    for a in (LoseDisk(A1),):  # the AP's disk: one loss, within the budget
        state = step(state, a)
    assert not broken_assumptions(state)
    assert not isinstance(step(state, LoseDisk(B1)), Rejected)
    assert broken_assumptions(step(state, LoseDisk(B1))) == ["fault-budget"]

    m = machine()
    m.node = E.Node(state)
    assert LoseDisk(B1) not in [a for a, _ in m.moves("lose_disk")]
    m2 = machine(over_budget=True)
    m2.node = E.Node(state)
    assert LoseDisk(B1) in [a for a, _ in m2.moves("lose_disk")]


def test_a_property_failure_names_the_property_and_the_status():
    cfg = make_config("entra", flaws=["ack-before-sync"])
    m = machine(cfg)
    prop, steps, _ = SCENARIOS["ack-before-sync"]
    for a in steps[:-1]:
        m.take(a)
        assert m.verdict() is None
    m.take(steps[-1])
    rnd = E.Round(cfg, m.options, m.stats, m.tree)
    failure = rnd.record(m, m.verdict())
    assert failure.property == prop and failure.status == "violated"
    assert failure.steps == tuple(steps) and failure.at == len(steps)
    assert type(failure) is E.failure_type(prop, "violated")
    assert rnd.failures() == [failure] and rnd.first_at == 0
    assert E.failure_type(prop, "violated") is not E.failure_type(prop, "assumption-broken")


# ---------------------------------------------------------------- the default run

@pytest.fixture(scope="module")
def default_run():
    """The safe design with the CLI's default budget and a fixed seed."""
    return E.explore(SAFE, examples=DEFAULT_EXAMPLES, seed=1)


def test_the_default_run_on_the_safe_design_breaks_nothing(default_run):
    assert not default_run.violated and not default_run.over_budget
    assert all(default_run.checked_examples[p] >= DEFAULT_EXAMPLES for p in PROPERTIES)


def test_the_default_run_fires_every_step_kind(default_run):
    from dirproof.model.next import FLAW_ONLY
    counts = default_run.stats.step_counts
    assert {k for k in E.STEP_KINDS if not counts[k]} == set(FLAW_ONLY)  # (those only a flaw enables)


def test_the_default_run_reaches_every_situation(default_run):
    """Reachability (the four of issue 4) and each property's interesting cases."""
    counts = default_run.stats.situation_counts
    assert default_run.unreached() == []
    assert {s for s in E.SITUATIONS if not counts[s]} == set()
    covered = {s.property for s in E.SITUATIONS.values()}
    assert covered == set(PROPERTIES), "every property has an interesting case that is counted"


def test_situations_are_told_apart():
    """The detectors see what they name and nothing else (so a count can be 0)."""
    # restore-on-last-day: a restore acknowledged at age 29 counts, at age 28 does not
    from dirproof.model import (Acknowledge, ClientWrite, Create, ReplicateToPassive, Restore,
                                SoftDelete, Tick)
    w = lambda op: ClientWrite(A1, 0, op)  # noqa: E731
    for days, want in ((29, True), (28, False), (1, False)):
        state = initial_state(SAFE)
        trace = [w(Create(0)), w(SoftDelete(0)), Tick(days), w(Restore(0)), ReplicateToPassive(A1),
                 Acknowledge(A1)]
        seen = set()
        for a in trace:
            nxt = step(state, a)
            assert not isinstance(nxt, Rejected), (a, nxt)
            seen |= {s.id for s in E.SITUATIONS.values() if s.detect(state, a, nxt)}
            state = nxt
        assert ("restore-on-last-day" in seen) == want, days
    # deposed-ap-takes-write: after an emergency failover, A1 writes with epoch 1
    state = initial_state(SAFE)
    for a in (Crash(A1), EmergencyFailover(B1, 1)):
        state = step(state, a)
    from dirproof.model import Recover
    state = step(state, Recover(A1))
    a = ClientWrite(A1, 0, Create(0))
    assert E.SITUATIONS["deposed-ap-takes-write"].detect(state, a, step(state, a))
    a = ClientWrite(B1, 0, Create(0))
    assert not E.SITUATIONS["deposed-ap-takes-write"].detect(state, a, step(state, a))


# ---------------------------------------------------------------- counterexamples

def _replays(config, steps, prop, status="violated"):
    """Rerun through `step`: every step accepted, the property holds before
    the last step and breaks after it (with the given status)."""
    state = initial_state(config)
    for i, a in enumerate(steps, 1):
        state = step(state, a)
        assert not isinstance(state, Rejected), f"step {i} rejected: {state.reason}"
        broke = PROPERTIES[prop].check(state)
        if i < len(steps):
            assert broke is None, f"{prop} already broke at step {i} of {len(steps)}"
        else:
            assert broke, f"{prop} does not break after the last step"
            assert bool(broken_assumptions(state)) == (status == "assumption-broken")


@pytest.mark.parametrize("flaw", ["ack-before-sync", "read-ignores-token", "restore-defaults",
                                  "pp-same-region"])
def test_a_found_counterexample_is_shrunk_and_replays(flaw, tmp_path):
    cfg = make_config("entra", flaws=[flaw])
    ex = E.explore(cfg, examples=300, seed=1,
                   stop_when=lambda e: any(p in e.violated for p in FLAWS[flaw].caught_by))
    caught = [p for p in FLAWS[flaw].caught_by if p in ex.violated]
    assert caught
    f = ex.violated[caught[0]]
    _replays(cfg, f.steps, caught[0])
    # 1-minimal: no single step can go
    for i in range(len(f.steps)):
        assert E.breaks_at(cfg, f.steps[:i] + f.steps[i + 1:], caught[0]) is None
    # the engine's file holds the same kind of trace, and it replays too
    from dirproof.counterexample import load
    from dirproof.engines import EngineRequest, run
    results = {r.property: r for r in run("hypothesis", EngineRequest(
        cfg, tuple(PROPERTIES), examples=300, seed=1, out_dir=tmp_path))}
    r = next(results[p] for p in FLAWS[flaw].caught_by if results[p].status == "violated")
    cx = load(r.counterexample)
    assert cx.violated_at == len(cx.steps) == r.steps
    _replays(cx.config, cx.steps, cx.property)
    # shortened by the search over its own actions: within 2 steps of the
    # hand-written scenario (an upper bound on the shortest)
    assert len(cx.steps) <= len(SCENARIOS[flaw][1]) + 2


def test_hypothesis_shrinking_can_be_turned_on_and_its_result_replays():
    cfg = make_config("entra", flaws=["read-ignores-token"])
    ex = E.explore(cfg, FLAWS["read-ignores-token"].caught_by, examples=200, seed=3,
                   backend="hypothesis", shrink=True, polish_steps=False,
                   stop_when=lambda e: bool(e.violated))
    f = next(iter(ex.violated.values()))
    assert f.steps == f.failure.steps and len(f.steps) <= f.first_length
    _replays(cfg, f.steps, f.property)
    with pytest.raises(ValueError):  # a plain example is one seed: nothing to shrink
        E.explore(cfg, examples=5, shrink=True)


def test_polish_removes_steps_that_do_not_matter():
    cfg = make_config("entra", flaws=["ack-before-sync"])
    from dirproof.model import ClientWrite, Create, Read, Tick
    noisy = (Tick(1), Read(0), ClientWrite(A1, 0, Create(0)), Tick(1), Read(1),
             *SCENARIOS["ack-before-sync"][1][1:])
    steps, message = E.polish(cfg, noisy, "no-acked-write-lost")
    assert list(steps) == SCENARIOS["ack-before-sync"][1] and "acknowledged" in message
    with pytest.raises(ValueError):
        E.polish(SAFE, noisy, "no-acked-write-lost")


def test_going_over_the_budget_is_assumption_broken_never_violated():
    ex = E.explore(SAFE, examples=300, seed=2, over_budget=True,
                   stop_when=lambda e: bool(e.over_budget))
    assert ex.over_budget and not ex.violated
    for prop, f in ex.over_budget.items():
        assert f.status == "assumption-broken"
        _replays(SAFE, f.steps, prop, "assumption-broken")


def test_a_time_budget_runs_in_batches_and_stops():
    ex = E.explore(SAFE, ("one-history",), seconds=3.0, seed=5, batch=10)
    assert ex.rounds >= 1 and ex.stats.examples >= 10 and 2.5 <= ex.seconds < 30
    with pytest.raises(ValueError):
        E.explore(SAFE, examples=5, seconds=5.0)


# ---------------------------------------------------------------- pytest face

def test_the_exploration_runs_as_a_plain_hypothesis_test():
    E.exploration_test(SAFE, max_examples=5)()  # passes
    flawed = E.exploration_test(make_config("entra", flaws=["ack-before-sync"]), max_examples=200)
    with pytest.raises(E.PropertyViolated) as info:
        flawed()
    assert info.value.property == "no-acked-write-lost"
    _replays(info.value.config, info.value.steps, "no-acked-write-lost")


def test_the_hypothesis_backend_ends_its_rounds_without_upsetting_hypothesis():
    """With every choice drawn from Hypothesis, an example must not stop
    earlier than one with the same choices did (Hypothesis raises
    FlakyStrategyDefinition): its runs are kept short instead of passing
    the examples left at once. With the plain backend's early pass, it breaks."""
    cfg = make_config("entra", flaws=["ack-before-sync"])

    def run():
        return E.explore(cfg, examples=60, seed=1, backend="hypothesis", collect=5)
    ex = run()
    assert "no-acked-write-lost" in ex.violated
    _replays(cfg, ex.violated["no-acked-write-lost"].steps, "no-acked-write-lost")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(E.Round, "skip", E.Round.done)
        mp.setattr(E, "HYPOTHESIS_BATCH", 50)
        from hypothesis.errors import FlakyStrategyDefinition
        with pytest.raises(FlakyStrategyDefinition):
            run()
