"""What every machine beside the partition (the identity and cells layers)
does with its next-state registry, written once: a step row that shows its
arguments in words, the executor (look the step up, check its arguments,
run it), the enabled actions and `allows`. Each machine's next.py gives
them its own table, domains and words."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Optional

import attrs

from .actions import Rejected
from .algebra import Refused
from .config import Config
from .next import StepSpec

# Per action class: (step function, argument names, their domain kinds), looked up once (the hot path).
RunTable = dict[type, tuple[Any, tuple[str, ...], tuple[str, ...]]]


@attrs.frozen
class SideStepSpec(StepSpec):
    """A StepSpec whose arguments a machine shows in its own words (`show`)."""

    def show(self, kind: str, v: Any) -> str:
        return str(v)

    def text(self, action: Any, cfg: Optional[Config] = None) -> str:
        vals = {f: self.show(k, getattr(action, f)) for f, k in zip(self.fields, self.over)}
        return f"{self.name}: " + self.says.format(**vals)


def outside(kind: str, v: Any, domain: tuple) -> str:
    """Why an argument outside its kind's domain is refused."""
    return f"no {kind} {v!r}: {kind}s are {', '.join(map(str, domain))}"


def run_table(specs: Iterable[StepSpec]) -> RunTable:
    return {s.action: (s.run, s.fields, s.over) for s in specs}


def execute(table: RunTable, layer: str, bad: Callable[[str, Any], Optional[str]], state: Any,
            action: Any) -> Any:
    """Run one action: the new state, or a rejection that says why not (an
    unknown action, an argument `bad` refuses, or a guard of the step)."""
    got = table.get(type(action))
    if got is None:
        return Rejected(f"unknown {layer} action {action!r}")
    run, fields, over = got
    args = [getattr(action, f) for f in fields]
    for kind, v in zip(over, args):
        why = bad(kind, v)
        if why:
            return Rejected(why)
    try:
        return run(state, *args)
    except Refused as refused:
        return Rejected(refused.reason)


def enabled_among(table: RunTable, state: Any, actions: Iterable[Any]) -> list[tuple[Any, Any]]:
    """Every one of `actions` that runs in `state`, with its successor (their
    arguments are in their domains by construction: no argument check)."""
    out = []
    for action in actions:
        run, fields, _ = table[type(action)]
        try:
            out.append((action, run(state, *[getattr(action, f) for f in fields])))
        except Refused:
            pass
    return out


def allows_by(step: Callable[[Any, Any], Any], state: Any, action: Any) -> Any:
    """The step is enabled in `state` (a verdict: a concrete run gives the
    rejection's reason; a symbolic run asks the engine for the derived guard)."""
    from .algebra import _BACKEND, Fail
    if _BACKEND is not None:
        return _BACKEND.allows(state, action)  # type: ignore[attr-defined]
    nxt = step(state, action)
    return Fail(nxt.reason) if isinstance(nxt, Rejected) else True
