"""The Z3 encoding (model/symbolic.py) and the Python model agree, both ways.

Hypothesis draws configurations (profile, flaws) and model states, by random
walks over `dirproof.model.enabled` that stay inside the Z3 scope, and at
every state of a walk compares Python's `step` with the Z3 relation
(model/symbolic_agreement.py) for: the step the walk takes, a drawn
candidate (often rejected), and some actions Python must reject (arguments
out of range, Partition(a, a), Tick(0), operations the object layer refuses).
At the last state, every candidate action is compared. "Agree" means: the
Python successor satisfies the relation, and with the pre-state fixed the
relation admits exactly it (nothing when Python rejects the step or its
successor leaves the scope).

Most comparisons evaluate the step functions on concrete values; a sample
asks the Z3 solver on the assembled relation over Ints (what the proofs use)
and over bit-vectors (what the bounded search uses).
"""

from __future__ import annotations

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dirproof.model import (FLAWS, SYSTEM, ClientWrite, Create, Crash, EmergencyFailover, Heal,
                            LoseRegion, MoveSession, Partition, PermanentDelete, Read, Rejected,
                            Tick, Update, initial_state, make_config, step)
from dirproof.model.step import candidates, enabled
from dirproof.model.symbolic import Encoding, Inputs, Scope, layout
from dirproof.model.symbolic import actions as z3_actions
from dirproof.model.symbolic_abstraction import Abstraction, OutOfScope, act_of
from dirproof.model.symbolic_agreement import Checker, Disagreement

SCOPE = Scope(log=5, epochs=4)
REPLICATION_FLAWS = sorted(FLAWS)
CHECKERS: dict = {}


def checker(cfg) -> Checker:
    if cfg not in CHECKERS:
        CHECKERS[cfg] = Checker(cfg, SCOPE)
    return CHECKERS[cfg]


def in_scope(state) -> bool:
    try:
        Abstraction(state.config, SCOPE).abstract(state)
        return True
    except OutOfScope:
        return False


def odd_actions(state):
    """Actions Python must reject (or the relation lacks): bad arguments,
    operations the object layer refuses, writes at a non-AP."""
    n = len(state.replicas)
    cfg = state.config
    return [Partition(1, 1), Heal(0, n), Crash(n), EmergencyFailover(1, 1), LoseRegion(len(cfg.regions)),
            MoveSession(cfg.sessions, 0), Read(cfg.sessions), Tick(0),
            ClientWrite(0, cfg.sessions, Create(0)), ClientWrite(0, 0, Create(cfg.objects)),
            ClientWrite(0, 0, PermanentDelete(0)), ClientWrite(n - 1, 0, Create(0)),
            ClientWrite(0, 0, Update(0, 0, 1)), ClientWrite(0, SYSTEM, Create(0)),
            Partition(n - 1, 0), Heal(n - 1, 0)]


@st.composite
def configs(draw):
    prof = draw(st.sampled_from(["small", "entra"]))
    k = draw(st.integers(0, 2))
    flaws = draw(st.lists(st.sampled_from(REPLICATION_FLAWS), min_size=k, max_size=k, unique=True))
    return make_config(prof, flaws=tuple(flaws))


def walk_step(data, state):
    """One move of the walk: a step name uniformly, then one of its enabled,
    in-scope instances."""
    by: dict = {}
    for action, nxt in enabled(state):
        if in_scope(nxt):
            by.setdefault(type(action).__name__, []).append((action, nxt))
    if not by:
        return None
    name = data.draw(st.sampled_from(sorted(by)), label="step")
    return data.draw(st.sampled_from(by[name]), label="action")


@settings(max_examples=45, deadline=None, suppress_health_check=list(HealthCheck))
@given(cfg=configs(), data=st.data())
def test_python_steps_and_z3_relation_agree(cfg, data):
    ch = checker(cfg)
    state = initial_state(cfg)
    length = data.draw(st.integers(0, 22), label="length")
    for _ in range(length):
        cands = list(candidates(state))
        probe = data.draw(st.sampled_from(cands), label="probe")
        odd = data.draw(st.sampled_from(odd_actions(state)), label="odd")
        for action in (probe, odd):
            ch.check(state, action)
        move = walk_step(data, state)
        if move is None:
            break
        ch.check(state, move[0])
        state = move[1]
    verdicts = {ch.check(state, a) for a in candidates(state)}
    assert "accepted" in verdicts or not enabled(state)


SOLVER_CONFIGS = [("small", ()), ("entra", ()),
                  ("entra", ("ack-before-sync", "keep-divergent-suffix", "no-fencing", "ship-unacked",
                             "token-reset-on-failover"))]


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(which=st.sampled_from(SOLVER_CONFIGS), data=st.data())
def test_the_solver_agrees_on_the_assembled_relation(which, data):
    """Z3 itself, asked on the whole relation T (Ints, as the proofs use it;
    6-bit vectors, as the bounded search uses it), with the pre-state and the
    action fixed, admits exactly Python's successor."""
    cfg = make_config(which[0], flaws=which[1])
    ch = checker(cfg)
    state = initial_state(cfg)
    for _ in range(data.draw(st.integers(0, 14), label="length")):
        move = walk_step(data, state)
        if move is None:
            break
        state = move[1]
    actions = data.draw(st.lists(st.sampled_from(list(candidates(state))), min_size=2, max_size=3),
                        label="actions")
    for action in actions:
        ch.check(state, action, mode="solver")
        ch.check(state, action, mode="solver", bits=6)


# --------------------------------------------------------------------------- deterministic checks


def test_initial_states_abstract_and_every_first_step_agrees():
    for prof in ("small", "entra", "wide"):
        cfg = make_config(prof)
        ch = Checker(cfg, Scope(log=3, epochs=3))
        state = initial_state(cfg)
        seen = {ch.check(state, a) for a in candidates(state)}
        assert seen == {"accepted", "rejected"}


def test_scope_cut_steps_are_not_in_the_relation():
    """A write past the log bound: Python accepts, the scoped relation does not."""
    cfg = make_config("small")
    ch = Checker(cfg, Scope(log=1, epochs=2))
    state = step(initial_state(cfg), ClientWrite(0, 0, Create(0)))
    assert ch.check(state, ClientWrite(0, 0, Update(0, 0, 1))) == "out-of-scope"


def test_a_wrong_encoding_is_caught():
    """The check can fail: a relation that forgets to advance the log length
    of a write disagrees with Python."""
    cfg = make_config("small")
    ch = Checker(cfg, SCOPE)
    good = ch.enc.client_write

    def broken(st_, at, session, inp):
        g, post = good(st_, at, session, inp)
        post = dict(post)
        post[("ln", at)] = st_[("ln", at)]
        return g, post

    ch.enc.client_write = broken
    with pytest.raises(Disagreement, match="successor differs"):
        ch.check(initial_state(cfg), ClientWrite(0, 0, Create(0)))


def test_a_wrong_guard_is_caught_by_the_solver():
    """And the solver-mode check can fail too: a relation that lets a down
    replica crash again admits a successor Python rejects."""
    cfg = make_config("small")
    scope = Scope(log=2, epochs=2)
    ch = Checker(cfg, scope)
    state = step(initial_state(cfg), Crash(1))
    assert ch.check(state, Crash(1), mode="solver") == "rejected"
    enc = Encoding(cfg, scope)
    pre = {k: None for k, _ in layout(cfg, scope)}
    from dirproof.model.symbolic_abstraction import Abstraction as Ab
    values = Ab(cfg, scope).abstract(state)
    g, _ = enc.crash(values, 1)
    assert g is False
    enc.crash = lambda st_, r, inp=None: (True, dict(st_))
    g, _ = enc.crash(values, 1)
    assert g is True and pre


def test_every_model_step_has_a_z3_step():
    """One symbolic step function per model step, by the same name."""
    from dirproof.model import STEPS, step_name
    from dirproof.model.symbolic import STEP_NAMES
    assert {step_name(cls) for cls in STEPS} == set(STEP_NAMES)
    for name in STEP_NAMES:
        assert callable(getattr(Encoding, name))


@pytest.mark.parametrize("prof, moves", [
    ("entra", []),
    ("entra", [ClientWrite(0, 0, Create(0)), Crash(2)]),
    ("small", [ClientWrite(0, 0, Create(0)), Partition(0, 1)]),
])
def test_each_step_disjunct_admits_exactly_the_python_successors(prof, moves):
    """The readable form: one disjunct per model step, OR over its arguments.
    With the pre-state fixed, the successors the disjunct admits (enumerated
    by Z3) are exactly the abstractions of Python's successors by that step."""
    import z3
    from dirproof.model import step_name
    from dirproof.model.symbolic import constants, model_values, state_eq, variables
    cfg = make_config(prof)
    scope = Scope(log=3, epochs=3)
    state = initial_state(cfg)
    for m in moves:
        state = step(state, m)
    enc = Encoding(cfg, scope)
    ab = Abstraction(cfg, scope)
    pre = constants(cfg, scope, ab.abstract(state))
    post = variables(cfg, scope, "post!")
    acts = z3_actions(cfg)
    inp = Inputs(z3.IntVal(0), z3.BoolVal(True), z3.IntVal(1))
    by_name: dict = {}
    for action in candidates(state):
        nxt = step(state, action)
        if not isinstance(nxt, Rejected) and step_name(action) not in ("client_write", "tick"):
            v = ab.abstract(nxt)
            by_name.setdefault(step_name(action), set()).add(tuple(v[k] for k, _ in layout(cfg, scope)))
    for name in {a.name for a in acts} - {"client_write", "tick"}:
        solver = z3.Solver()
        solver.add(enc.disjunct(pre, post, name, inp, acts))
        got = set()
        while solver.check() == z3.sat and len(got) < 50:
            v = model_values(cfg, scope, solver.model(), post)
            got.add(tuple(v[k] for k, _ in layout(cfg, scope)))
            solver.add(z3.Not(state_eq(cfg, scope, post, v)))
        assert got == by_name.get(name, set()), name
