"""Running a counterexample's steps on the model, on its own design or another.

`replay(cx)` runs every saved step with the model's executor
(`dirproof.model.step`), checks every property after each one, and decides
whether the recorded violation reproduces. On the recorded design a step
the model rejects is bad input (`ReplayError`): a saved trace must run as it
was found.

`replay(cx, design)` asks another question: does `design` (a fix, another
topology, another set of flaws) stop this trace? There a rejected step is
the answer, not an error: the model's `Rejected` reason names the guard of
design.md §2-3 that refuses the step (for example "nothing to acknowledge:
the PP holds no entry past LSN 0" when acknowledgements wait for the PP).
The outcome is then `refuted` at that step; a trace whose every step runs
without breaking any property is `refuted` too; a trace that still breaks
its property is `violated` (reproduced). A trace that names a replica,
session, region or object the design does not have is bad input
(`TraceDoesNotFit`), found before any step runs.
"""

from __future__ import annotations

import builtins
from typing import Any, Iterable, Optional

import attrs

from dirproof.counterexample import Counterexample
from dirproof.model import SPECS, Config, Rejected, State, initial_state
from dirproof.model.config import validate
from dirproof.model.next import INPUTS, domain
from dirproof.properties import ALL_PROPERTIES, ASSUMPTIONS, Violation

from .machines import PARTITION, Machine, any_action_text, machine_of
from .words import action_text


class ReplayError(ValueError):
    """A saved step that the model rejects on the recorded design (bad input): says which and why."""

    def __init__(self, step: int, action: Any, reason: str, config: Optional[Config] = None):
        self.step, self.action, self.reason = step, action, reason
        text = any_action_text(action, config)
        super().__init__(f"step {step} ({text}) is rejected by the model: {reason}")


class TraceDoesNotFit(ValueError):
    """A step names a replica, session, region or object that the design to
    replay on does not have (bad input: no guard of the design is involved)."""

    def __init__(self, step: int, message: str):
        self.step = step
        super().__init__(message)


@attrs.frozen
class StepResult:
    index: int  # 1-based
    action: object
    text: str
    changes: tuple[str, ...]
    broken: tuple[Violation, ...]  # every property broken in the state after this step
    new: tuple[Violation, ...]  # those that were not broken before it
    assumptions: tuple[str, ...]  # assumptions broken after this step


@attrs.frozen
class Refusal:
    """The step that another design refuses, and the model's reason (its guard)."""

    index: int  # 1-based
    action: object
    text: str
    reason: str


@attrs.frozen
class Outcome:
    status: str  # "violated", "assumption-broken", "held" or (on another design) "refuted"
    reproduced: bool  # the recorded property (or assumption) broke
    property: Optional[str]  # the property reported (the recorded one when it reproduced)
    step: Optional[int]  # where it first broke, or where the other design refused the trace
    message: str  # the property's message, or the refusing guard's reason
    notes: tuple[str, ...]
    refused: Optional[Refusal] = None

    @builtins.property  # `property` is a field here
    def exit_code(self) -> int:
        return 0 if self.status in ("held", "refuted") else 1

    @builtins.property  # `property` is a field here
    def broke(self) -> bool:
        """A property (or assumption) broke on the way."""
        return self.status in ("violated", "assumption-broken")


@attrs.frozen
class Replay:
    cx: Counterexample
    states: tuple[State, ...]  # the initial state, then one per step that ran
    steps: tuple[StepResult, ...]
    outcome: Outcome
    design: Optional[Config] = None  # the design replayed on, when not the recorded one

    @property
    def config(self) -> Config:
        """The configuration the steps ran on."""
        return self.design if self.design is not None else self.cx.config


def known_targets() -> dict[str, str]:
    """What a counterexample may say broke: a property or an assumption."""
    return {**{p: "property" for p in ALL_PROPERTIES}, **{a: "assumption" for a in ASSUMPTIONS}}


def check_target(prop: str) -> None:
    if prop not in known_targets():
        raise ValueError(f"unknown property {prop!r}; known: {', '.join(known_targets())}")


def with_flaws(cfg: Config, flaws: Iterable[str]) -> Config:
    """The same topology and parameters with exactly these flaws (ConfigError
    for an unknown flaw, or a topology that only a flaw allows)."""
    return validate(attrs.evolve(cfg, flaws=tuple(sorted(set(flaws)))))


def safe_config(cfg: Config) -> Config:
    """The same configuration with every flaw removed (the safe design)."""
    return with_flaws(cfg, ())


def _misfit(action: Any, cfg: Config) -> Optional[str]:
    """What `action` names that `cfg` lacks (argument domains from the step registry)."""
    spec = SPECS.get(type(action))
    if spec is None:
        return f"{action!r} is not a step of the model"
    for name, kind in zip(spec.fields, spec.over):
        value = getattr(action, name)
        if kind not in INPUTS and value not in domain(kind, cfg):
            noun = "session" if kind == "writer" else kind
            count = len(domain(noun, cfg))
            has = f"{noun}s 0..{count - 1}" if count else f"no {noun}s"
            return f"{noun} {value!r} (the design has {has})"
    op = getattr(action, "op", None)
    if op is not None and not 0 <= getattr(op, "obj", 0) < cfg.objects:
        return f"object {op.obj} (the design holds " + \
            (f"objects 0..{cfg.objects - 1})" if cfg.objects else "no objects)")
    if op is not None and not 0 <= getattr(op, "attr", 0) < cfg.attributes:
        return f"attribute #{op.attr} (objects have attributes 0..{cfg.attributes - 1})"
    return None


def check_fit(cx: Counterexample, cfg: Config) -> None:
    """TraceDoesNotFit if a step names what `cfg` does not have (before any step runs)."""
    for i, action in enumerate(cx.steps, 1):
        what = _misfit(action, cfg)
        if what is not None:
            raise TraceDoesNotFit(i, f"the trace does not fit the design to replay on: step {i} "
                                     f"({action_text(action, cx.config)}) names {what}")


def replay(cx: Counterexample, design: Optional[Config] = None) -> Replay:
    """Run every step of `cx` on its own design (ReplayError if the model
    rejects one) or on `design` (a rejected step refutes the trace there)."""
    check_target(cx.property)
    m = machine_of(cx.property)
    cfg = cx.config if design is None else design
    if design is not None and m is PARTITION:
        check_fit(cx, design)
    state = initial_state(cfg) if m is PARTITION else m.initial(cfg)  # (tests patch this module's initial_state)
    states, results = [state], []
    refused: Optional[Refusal] = None
    before: set = set()
    for i, action in enumerate(cx.steps, 1):
        nxt = _run_one(m, state, action, i, cfg)
        if isinstance(nxt, Rejected):
            if design is None:
                raise ReplayError(i, action, nxt.reason, cfg)
            refused = Refusal(i, action, m.text(action, cfg), nxt.reason)
            break
        broken = _check(m, nxt, action, i, cfg)
        new = tuple(v for v in broken if v.property not in before)
        before = {v.property for v in broken}
        results.append(StepResult(i, action, m.text(action, cfg), tuple(m.diff(state, nxt)),
                                  broken, new, tuple(m.assumptions(nxt))))
        state = nxt
        states.append(state)
    outcome = _outcome(cx, results, on_design=design is not None)
    if design is not None:
        outcome = _on_design(cx, outcome, refused)
    return Replay(cx, tuple(states), tuple(results), outcome, design)


def _run_one(m: Machine, state: Any, action: Any, i: int, cfg: Config) -> Any:
    try:
        return m.step(state, action)
    except Exception as exc:  # a model bug on odd input: still one clear line, naming the step
        raise ReplayError(i, action, f"the model failed with {type(exc).__name__}: {exc}", cfg) from exc


def _check(m: Machine, state: Any, action: Any, i: int, cfg: Config) -> tuple[Violation, ...]:
    try:
        return m.check(state)
    except Exception as exc:  # a property's bug on an odd state: one clear line, naming the step
        raise ReplayError(i, action, f"checking the properties failed with {type(exc).__name__}: {exc}",
                          cfg) from exc


def _on_design(cx: Counterexample, o: Outcome, refused: Optional[Refusal]) -> Outcome:
    """The outcome on another design: a trace that broke nothing before it
    was refused, or that ran to the end without breaking anything, is refuted."""
    notes = o.notes
    if o.broke:
        if refused is not None:
            notes += (f"the design refuses step {refused.index} ({refused.text}) only afterwards: "
                      f"{refused.reason}",)
        return attrs.evolve(o, notes=notes, refused=refused)
    if refused is not None:
        left = len(cx.steps) - refused.index
        if left:
            notes += (f"the {left} step{'s' if left > 1 else ''} after it did not run",)
        return Outcome("refuted", False, cx.property, refused.index, refused.reason, notes, refused)
    return Outcome("refuted", False, cx.property, None, "the property holds after every step", notes)


def _outcome(cx: Counterexample, results: list[StepResult], on_design: bool = False) -> Outcome:
    """Did the recorded property (or assumption) break, where, and what else broke."""
    target = cx.property
    is_assumption = target in ASSUMPTIONS
    hit = _first(results, lambda r: target in r.assumptions) if is_assumption else \
        _first(results, lambda r: any(v.property == target for v in r.broken))
    earliest = _first(results, lambda r: bool(r.broken))
    over = _first(results, lambda r: bool(r.assumptions))
    if hit is not None:
        return _reproduced(cx, hit, earliest, over)
    notes = []
    if earliest is not None:
        v = earliest.new[0]
        status = "assumption-broken" if earliest.assumptions else "violated"
        notes.append(f"the recorded {target} did not break; {v.property} broke instead")
        return Outcome(status, False, v.property, earliest.index, v.message, tuple(notes))
    if not on_design:  # on another design the verdict says why (a refused step, or every step ran)
        notes.append(f"the recorded {'assumption' if is_assumption else 'violation of'} {target} "
                     f"did not reproduce: every step ran and no property broke")
    if over is not None:
        notes.append(f"assumption(s) {', '.join(over.assumptions)} broken at step {over.index}")
    return Outcome("held", False, None, None, "", tuple(notes))


def _first(results: list[StepResult], pred) -> Optional[StepResult]:
    return next((r for r in results if pred(r)), None)


def _reproduced(cx: Counterexample, hit: StepResult, earliest: Optional[StepResult],
                over: Optional[StepResult]) -> Outcome:
    target = cx.property
    is_assumption = target in ASSUMPTIONS
    notes = []
    if is_assumption:
        message, status = ASSUMPTIONS[target].statement, "assumption-broken"
    else:
        message = next(v.message for v in hit.broken if v.property == target)
        status = "assumption-broken" if hit.assumptions else "violated"
    if cx.violated_at is not None and cx.violated_at != hit.index:
        notes.append(f"the file records the break at step {cx.violated_at}; it reproduces at step {hit.index}")
    if status != cx.status:
        notes.append(f"the file says status {cx.status!r}; the replay gives {status!r}")
    if status == "assumption-broken" and not is_assumption and over is not None:
        notes.append(f"the property breaks only beyond its assumptions: {', '.join(hit.assumptions)} "
                     f"broken since step {over.index}; it is claimed only within them")
    if earliest is not None and earliest.index < hit.index:
        v = earliest.new[0]
        notes.append(f"{v.property} broke earlier, at step {earliest.index}: {v.message}")
    return Outcome(status, True, target, hit.index, message, tuple(notes))
