"""The Python model refines the parametric form.

`structure` maps a concrete model `State` (with its monitors' ghost) to a
finite structure of the parametric vocabulary: replicas, regions and
sessions are the model's; epochs 0..E and LSNs 0..L in their order; a value
is an entry's payload (session, logical session, write), so that log
entry (epoch, lsn, payload) is `log(r, lsn, epoch, value)`; a logical
session is a pair (session, number). The structure is given to Z3 as
ground facts with domain closure, so a formula's truth on it is a
satisfiability check. `check_step` asks whether a model step is a
transition of the parametric form (the step's own name, e.g.
client_write; tick changes nothing of the vocabulary), `check_state`
whether every invariant holds. docs/parametric.md says how the tests steer
the walks.
"""

from __future__ import annotations

from itertools import product
import random
from typing import Any, Callable, Iterable, Iterator, Optional

import attrs
import z3

from dirproof.interrupt import answer
from dirproof.model import SPECS, SYSTEM, Rejected, State, enabled, step, step_name
from dirproof.properties.monitors import Ghost, watch

from .frames import frame
from .invariants import invariants
from .protocol import SAME_AS, TRANSITIONS
from .vocab import (CLIENT, E0, EPOCH, I0, INDEX, LE_E, LE_I, LOGICAL, REGION, REGION_OF, REPLICA, VALUE, WROTE,
                    Vocab, axioms)


@attrs.frozen
class Domain:
    """The elements of each sort, shared by the states of one check."""

    replicas: int
    regions: int
    sessions: int
    epochs: int  # 0..epochs-1
    lsns: int  # 0..lsns-1
    values: tuple[Any, ...]  # payloads (session, logical, write)
    logicals: tuple[tuple[int, int], ...]  # (session, number)

    def el(self, sort: Any, k: Any) -> Any:
        return z3.Const(f"{sort.name()}!{k}", sort)

    def elements(self, sort: Any) -> list[Any]:
        n = {REPLICA: self.replicas, REGION: self.regions, CLIENT: self.sessions, EPOCH: self.epochs,
             INDEX: self.lsns, VALUE: len(self.values), LOGICAL: len(self.logicals)}[sort]
        return [self.el(sort, k) for k in range(n)]

    def value(self, entry: Any) -> Any:
        return self.el(VALUE, self.values.index(payload(entry)))

    def logical(self, s: int, k: int) -> Any:
        return self.el(LOGICAL, self.logicals.index((s, k)))


def payload(entry: Any) -> tuple:
    return (entry.session, entry.logical, entry.write)


def domain(states: Iterable[tuple[State, Ghost]]) -> Domain:
    """The smallest domain holding every element the states name."""
    states = list(states)
    cfg = states[0][0].config
    epochs, lsns, values, logicals = 1, 1, [], set()
    for st, gh in states:
        reps, orch = st.replicas, st.orchestrator
        epochs = max([epochs, orch.epoch + 1] + [r.epoch + 1 for r in reps])
        entries = [e for r in reps for e in r.log] + [e for _, _, e in gh.acked.items()]
        lsns = max([lsns] + [len(r.log) + 1 for r in reps] + [r.commit + 1 for r in reps]
                   + [s.token.lsn + 1 for s in st.sessions] + [rd.longest + 1 for rd in gh.reads]
                   + [h.lsn + 1 for h in gh.handed]
                   + [e.lsn + 1 for e in entries])
        epochs = max([epochs] + [e.epoch + 1 for e in entries])
        for e in entries:
            if payload(e) not in values:
                values.append(payload(e))
        for s, sess in enumerate(st.sessions):
            logicals |= {(s, k) for k in range(max(sess.logical, gh.reads[s].logical, gh.handed[s].logical) + 1)}
        logicals |= {(e.session, e.logical) for e in entries if e.session != SYSTEM}
    values = values or [(SYSTEM, 0, None)]  # a sort is never empty
    return Domain(len(cfg.datacenters), len(cfg.regions), cfg.sessions, epochs, lsns, tuple(values),
                  tuple(sorted(logicals)))


def rigid(d: Domain, cfg: Any) -> list[Any]:
    """Domain closure, distinct elements, and the rigid symbols."""
    out = []
    for sort in (REPLICA, REGION, CLIENT, EPOCH, INDEX, VALUE, LOGICAL):
        els = d.elements(sort)
        x = z3.Const("x_dom", sort)
        out += [z3.Distinct(*els) if len(els) > 1 else z3.BoolVal(True), z3.ForAll([x], z3.Or(*(x == c for c in els)))]
    E, I_ = d.elements(EPOCH), d.elements(INDEX)
    out += [LE_E(E[a], E[b]) == (a <= b) for a in range(len(E)) for b in range(len(E))]
    out += [LE_I(I_[a], I_[b]) == (a <= b) for a in range(len(I_)) for b in range(len(I_))]
    out += [E0 == E[0], I0 == I_[0]]
    out += [REGION_OF(d.el(REPLICA, r)) == d.el(REGION, cfg.region_of(r)) for r in range(d.replicas)]
    for k, (sess, logical, _) in enumerate(d.values):
        for s, (ls, lk) in product(range(d.sessions), d.logicals):
            mine = sess != SYSTEM and s == sess and (ls, lk) == (sess, logical)
            out.append(WROTE(d.el(VALUE, k), d.el(CLIENT, s), d.el(LOGICAL, d.logicals.index((ls, lk)))) == mine)
    return out


def structure(d: Domain, st: State, gh: Ghost, V: Vocab) -> list[Any]:
    """Ground facts that make V's symbols the state `st` with ghost `gh`."""
    R, E, I_, S = d.elements(REPLICA), d.elements(EPOCH), d.elements(INDEX), d.elements(CLIENT)
    orch, out = st.orchestrator, []
    for r, rep in enumerate(st.replicas):
        out += [V.up(R[r]) == rep.up, V.ep(R[r]) == E[rep.epoch], V.len(R[r]) == I_[len(rep.log)],
                V.commit(R[r]) == I_[rep.commit], V.flushed(R[r]) == I_[rep.flushed]]
        held = {(k + 1, e.epoch, payload(e)) for k, e in enumerate(rep.log)}
        for i, e in product(range(d.lsns), range(d.epochs)):
            for vk, val in enumerate(d.values):
                out.append(V.log(R[r], I_[i], E[e], d.el(VALUE, vk)) == ((i, e, val) in held))
        for b in range(d.replicas):
            out.append(V.cut(R[r], R[b]) == (r != b and (r, b) in _cut_pairs(st)))
    roles = orch.roles
    for e, r in product(range(d.epochs), range(d.replicas)):
        there = 1 <= e <= len(roles)
        out += [V.ap(E[e], R[r]) == (there and roles[e - 1][0] == r),
                V.pp(E[e], R[r]) == (there and roles[e - 1][1] == r)]
    budget = st.budget
    out += [V.cur == E[orch.epoch], V.in_sync == orch.pp_in_sync, V.gA == R[budget.guard[0]],
            V.gP == R[budget.guard[1]], V.pending == budget.pending, V.exceeded == budget.exceeded]
    for s, sess in enumerate(st.sessions):
        rd = gh.reads[s]
        out += [V.aff(S[s]) == R[sess.replica], V.tok(S[s]) == I_[sess.token.lsn],
                V.curl(S[s]) == d.logical(s, sess.logical), V.rl(S[s]) == d.logical(s, rd.logical),
                V.longest(S[s]) == I_[rd.longest], V.hl(S[s]) == d.logical(s, gh.handed[s].logical),
                V.htok(S[s]) == I_[gh.handed[s].lsn]]
    for ls, lk in d.logicals:
        out.append(V.started(d.logical(ls, lk)) == (lk <= st.sessions[ls].logical))
    acked = {(i, e.epoch, payload(e)) for _, i, e in gh.acked.items()}
    for i, e, (vk, val) in product(range(d.lsns), range(d.epochs), enumerate(d.values)):
        out.append(V.acked(I_[i], E[e], d.el(VALUE, vk)) == ((i, e, val) in acked))
    out += [V.bad_regions == (gh.regions is not None), V.bad_ryw == (gh.ryw is not None),
            V.bad_mono == (gh.mono is not None), V.bad_lost == (gh.lost is not None),
            V.bad_causal == (gh.causal is not None)]
    return out


def _cut_pairs(st: State) -> set[tuple[int, int]]:
    return {p for a, b in st.cut for p in ((a, b), (b, a))}


Mapping = Callable[[Domain, State, Ghost, Vocab], list[Any]]


def _solver(d: Domain, cfg: Any) -> z3.Solver:
    s = z3.Solver()
    s.set("timeout", 60_000)
    s.add(*axioms(), *rigid(d, cfg))
    return s


def check_step(pre: State, name: str, post: State, mapping: Mapping = structure) -> Optional[str]:
    """None if the model's step `name` from `pre` to `post` is a transition of
    the parametric form (with the config's flaws), else why not."""
    name = SAME_AS.get(name, name)
    g0, g1 = watch(pre), watch(post)
    d = domain([(pre, g0), (post, g1)])
    V, W = Vocab(""), Vocab("'")
    s = _solver(d, pre.config)
    s.add(*mapping(d, pre, g0, V), *mapping(d, post, g1, W))
    if name not in TRANSITIONS:
        formula = z3.And(*frame(V, W, []))  # a step outside the vocabulary (tick) must change nothing of it
    else:
        formula = TRANSITIONS[name](V, W, frozenset(pre.config.flaws)).framed(V, W)
    s.add(formula)
    res = answer(s.check())
    return None if res == z3.sat else f"the model's step {name} is not a transition {name} of the parametric form ({res})"


def check_state(st: State, mapping: Mapping = structure) -> list[str]:
    """The invariants of the parametric form that the state breaks (by id)."""
    gh = watch(st)
    d = domain([(st, gh)])
    V = Vocab("")
    s = _solver(d, st.config)
    s.add(*mapping(d, st, gh, V))
    return broken(s, invariants(V, frozenset(st.config.flaws)))


def broken(s: z3.Solver, invs: dict[str, Any]) -> list[str]:
    """The invariants `invs` that fail on the structure asserted in `s` (one
    query when all hold, then one per invariant)."""
    s.push()
    s.add(z3.Not(z3.And(*invs.values())))
    if answer(s.check()) == z3.unsat:
        return []
    s.pop()
    out = []
    for name, f in invs.items():
        s.push()
        s.add(z3.Not(f))
        if answer(s.check()) != z3.unsat:
            out.append(name)
        s.pop()
    return out


def walk(state: State, actions: Iterable[Any] = (), steps: int = 0, rng: Optional[random.Random] = None,
         max_log: int = 4) -> Iterator[tuple[State, Any, State]]:
    """(pre, action, post) for the accepted actions of `actions` (refused ones
    are skipped: the design decided them), then for `steps` actions drawn
    with the exploration's weights among the enabled ones that stay within
    the fault budget (the assumption of the parametric form) and keep every
    log within `max_log` entries (the checks grow with the structure; the
    drawn steps are meant to move roles, epochs and copies, not to write on)."""
    for a in actions:
        nxt = step(state, a)
        if not isinstance(nxt, Rejected):
            yield state, a, nxt
            state = nxt
    rng = rng or random.Random(0)
    for _ in range(steps):
        opts = [(a, n) for a, n in enabled(state)
                if not n.budget.exceeded and all(len(r.log) <= max_log for r in n.replicas)]
        if not opts:
            return
        a, nxt = rng.choices(opts, weights=[SPECS[type(a)].weight for a, _ in opts])[0]
        yield state, a, nxt
        state = nxt


def check_walk(steps: Iterable[tuple[State, Any, State]], mapping: Mapping = structure,
               first: bool = False) -> list[str]:
    """What goes wrong along a walk: a step that is not a transition, a state
    that breaks an invariant (each with its position and action); with
    `first`, only the first such problem (the walk stops there)."""
    problems = []
    for k, (pre, a, post) in enumerate(steps, 1):
        why = check_step(pre, step_name(a), post, mapping)
        if why:
            problems.append(f"step {k} {a}: {why}")
        failing = check_state(post, mapping) if not (first and problems) else []
        if failing:
            problems.append(f"after step {k} {a}: invariants {', '.join(failing)} fail")
        if first and problems:
            break
    return problems


def _script() -> list[Any]:
    """A walk on `entra` (A1 A2 | B1 B2) that takes every step of the protocol."""
    from dirproof.model import (Acknowledge, ClientWrite, Crash, Create, EmergencyFailover, HandToken, Heal,
                                LoseDisk, LoseRegion, MoveSession, Partition, PlannedFailover, Probe, Read,
                                Rebuild, Recover, Rejoin, ReplacePassive, ReplicateToPassive, ReplicateToSecondary,
                                Reroute, Tick)
    from dirproof.model import CrashUnclean, Flush, Update
    A1, A2, B1, B2 = 0, 1, 2, 3
    return [ClientWrite(A1, 0, Create(0)), ReplicateToPassive(A1), Acknowledge(A1), ReplicateToSecondary(A2),
            Read(0), MoveSession(0, B2),
            Tick(180), Rebuild(B2),  # B2 missed the write, the lifetime passed (model/tombstones.py)
            Partition(A1, B1), Heal(A1, B1),
            HandToken(0, 1), Crash(B2), Probe(B2), Probe(B2), Reroute(1), Read(1), Recover(B2), Probe(B2),
            Crash(A2), Recover(A2),
            PlannedFailover(), Rejoin(A2), Partition(B1, A1), ReplacePassive(A2), ClientWrite(B1, 1, Create(1)),
            ReplicateToPassive(B1),
            Crash(B1), EmergencyFailover(A2, B2), LoseDisk(A1), Recover(A1), Rejoin(A1),
            # §6: a secondary's copy in memory, flushed; an unclean crash of the AP and of a secondary
            ClientWrite(A2, 0, Update(0, 0, 1)), CrashUnclean(A2), Recover(A2), ClientWrite(A2, 0, Update(0, 1, 1)),
            ReplicateToPassive(A2), Acknowledge(A2), ReplicateToSecondary(A1), CrashUnclean(A1), Recover(A1),
            ReplicateToSecondary(A1), Flush(A1), LoseRegion(0)]


def _transitions(flaws: Iterable[str]) -> dict[str, str]:
    """Every transition of the form under `flaws`, "unknown" so far (one
    that is no step under these flaws, whose formula is false, such as
    retry_write in the safe design, has nothing to witness)."""
    V, W, fl = Vocab(""), Vocab("'"), frozenset(flaws)
    return {t: "unknown" for t, build in TRANSITIONS.items() if not z3.is_false(build(V, W, fl).formula)}


def _checked(cfg: Any, script: list[Any]) -> Iterator[tuple[str, Optional[str], bool]]:
    """Each step of the walk, checked once: (its transition's name, what is
    wrong with it or its successor (None: nothing), whether it starts in a
    state of the invariant)."""
    from dirproof.model import initial_state
    pre_ok = not check_state(initial_state(cfg))
    for k, (pre, a, post) in enumerate(walk(initial_state(cfg), script), 1):
        why = check_step(pre, step_name(a), post)
        failing = check_state(post)
        problem = (f"step {k} {a}: {why}" if why
                   else f"after step {k} {a}: invariants {', '.join(failing)} fail" if failing else None)
        yield SAME_AS.get(step_name(a), step_name(a)), problem, pre_ok and not why
        pre_ok = not failing


def witnesses(flaws: Iterable[str] = ()) -> dict[str, str]:
    """For each transition, "yes" when a model step of that name (on `entra`,
    with the flaws) from a state of the invariant is a transition of the
    form: a finite structure satisfying Inv & T, so a proof over T is not
    vacuous; "unknown" when the script does not reach one."""
    from dirproof.model import make_config
    out = _transitions(flaws)
    for name, _, taken in _checked(make_config("entra", flaws=sorted(set(flaws))), _script()):
        if taken and name in out:
            out[name] = "yes"
    return out


def audit(flaws: Iterable[str] = ()) -> tuple[list[str], dict[str, str]]:
    """model_refines(flaws, first=True) and the transitions' witnesses in one
    pass over the steered and scripted walks (each step and state is
    checked once, not once per question): (the first problem, or none;
    the witnesses, empty after a problem, when the proof is not upgraded)."""
    from dirproof.model import make_config
    cfg = make_config("entra", flaws=sorted(set(flaws)))
    seen = _transitions(flaws)
    for script in [*_steered(), _script()]:
        for name, problem, taken in _checked(cfg, script):
            if problem:
                return [problem], {}
            if taken and name in seen:
                seen[name] = "yes"
    return [], seen


def _steered() -> list[list[Any]]:
    """Walks on `entra` to the situations where the safety guards decide: a
    deposed AP replicating after a failover (fencing), a rejoin over a
    divergent suffix (truncation), a second failover while the PP installed
    by the first has not copied its AP's log (the in-sync check). Steps the
    model refuses are skipped; a guard removed from the model lets them
    through, and the step is then no transition of the form."""
    from dirproof.model import (Acknowledge, ClientWrite, Crash, Create, EmergencyFailover, LoseDisk, Recover,
                                Rejoin, ReplicateToPassive, ReplicateToSecondary)
    A1, A2, B1, B2 = 0, 1, 2, 3
    write = [ClientWrite(A1, 0, Create(0)), ReplicateToPassive(A1), Acknowledge(A1)]
    return [[Crash(A1), EmergencyFailover(B1, A2), ClientWrite(B1, 0, Create(0)), ReplicateToPassive(B1),
             Acknowledge(B1), Recover(A1), ReplicateToPassive(A1), Acknowledge(A1)],
            [ClientWrite(A1, 0, Create(0)), Crash(A1), EmergencyFailover(B1, A2), ClientWrite(B1, 0, Create(1)),
             ReplicateToPassive(B1), Acknowledge(B1), Recover(A1), Rejoin(A1), ReplicateToSecondary(A1)],
            [*write, LoseDisk(A1), EmergencyFailover(B1, A2), Crash(B1), EmergencyFailover(A2, B2)],
            _steered_issue13(), _steered_rebuild()]


def _steered_issue13() -> list[Any]:
    """The steps of issue 13 items 4-5 where their guards decide: the AP
    dropping its lagging PP and acknowledging alone, the orchestrator's store
    going back one record before a failover, a restore from an old image
    (a disk loss in the safe design)."""
    from dirproof.model import (AcknowledgeAlone, ClientWrite, Create, LoseOrchestratorChange, Partition,
                                ReplacePassive, RestoreImage, ShrinkSyncSet)
    A1, A2, B1, B2 = 0, 1, 2, 3
    return [ClientWrite(A1, 0, Create(0)), ShrinkSyncSet(), AcknowledgeAlone(), RestoreImage(A2),
            Partition(A1, B1), ReplacePassive(B2), LoseOrchestratorChange()]


def _steered_rebuild() -> list[Any]:
    """The PP B1 is replaced while cut off; before the new PP B2 has copied
    the log, B1 (still holding the budget's guarded copy) is out of contact
    for the tombstone lifetime: its rebuild is refused (model/tombstones.py)."""
    from dirproof.model import (Acknowledge, ClientWrite, Create, Heal, Partition, Rebuild, ReplacePassive,
                                ReplicateToPassive, Tick)
    A1, B1, B2 = 0, 2, 3
    return [ClientWrite(A1, 0, Create(0)), ReplicateToPassive(A1), Acknowledge(A1), Partition(A1, B1),
            ReplacePassive(B2), Tick(180), Heal(A1, B1), Rebuild(B1)]


def model_refines(flaws: Iterable[str] = (), first: bool = False) -> list[str]:
    """What the running model does that the parametric form does not allow,
    on the scripted and the steered walks of `entra` with the flaws (empty:
    every step checked is a transition of the form and every state keeps
    the invariant; with `first`, the first problem only, found sooner).
    `dirproof check --engine z3` asks this before it calls a property
    proved for any size, so the claim is about this model."""
    from dirproof.model import initial_state, make_config
    cfg = make_config("entra", flaws=sorted(set(flaws)))
    out: list[str] = []
    # the steered walks first when only the first problem is wanted: they go
    # straight to where the guards decide, so a broken guard shows there soonest
    walks = [*_steered(), _script()] if first else [_script(), *_steered()]
    for script in walks:
        out += check_walk(walk(initial_state(cfg), script), first=first)
        if first and out:
            break
    return out
