"""The identity layer's next-state relation, on one screen (design.md §7).

`ID_NEXT` has the shape of model/next.py NEXT (one StepSpec per step:
action class, step function, design section, the IdState fields it may
change, argument domains, group, exploration weight, trace text). The
executor `id_step`, the candidates, the Z3 disjuncts
(dirproof/identity/z3.py) and the replay text are read from it.
"""

from __future__ import annotations

from itertools import product
from typing import Any, Callable, Iterator, Optional, cast

import attrs

from ..actions import Rejected
from ..config import Config
from ..side_next import SideStepSpec, allows_by, enabled_among, execute, outside, run_table
from . import actions as A
from . import steps
from .state import (BACKUP_MINUTES, EVALUATORS, KEYS, PRINCIPALS, SCOPES, SLOTS, IdState, lag)

ID_INPUTS = ("minutes",)


_DOMAINS: dict[str, tuple] = {"slot": tuple(range(SLOTS)), "key": tuple(range(len(KEYS))),
                              "principal": tuple(range(PRINCIPALS)), "evaluator": tuple(range(len(EVALUATORS))),
                              "bool": (False, True)}


def id_domain(kind: str) -> tuple:
    return _DOMAINS[kind]


@attrs.frozen
class IdStepSpec(SideStepSpec):
    """A StepSpec whose argument domains are the identity layer's."""

    def arguments(self, cfg: Config) -> Iterator[tuple]:
        yield from product(*(id_domain(k) for k in self.over if k not in ID_INPUTS))

    def show(self, kind: str, v: Any) -> str:
        if kind == "key" and isinstance(v, int) and 0 <= v < len(KEYS):
            return f"{KEYS[v].name} ({SCOPES[KEYS[v].scope]})"
        if kind == "evaluator" and isinstance(v, int) and 0 <= v < len(EVALUATORS):
            return f"the {EVALUATORS[v]}"
        if kind == "bool":
            return "a CAE-aware app" if v else "an app without CAE"
        return str(v)


S = IdStepSpec


def _run(fn: Callable[..., IdState]) -> Callable[..., Any]:
    """A step of this machine in a StepSpec row (whose `run` is typed for the partition's State)."""
    return fn


ID_NEXT: tuple[IdStepSpec, ...] = (
    # action               step                   design.md           modifies                     over                                      group      weight
    S(A.IssueToken, _run(steps.issue), "§7 sign-in", ("tokens",), ("slot", "key", "principal", "bool"), "token", 6,
      "slot {slot}: token for principal {principal}, {cae}, signed by {key}"),
    S(A.ForgeToken, _run(steps.forge), "§7 keys (Storm-0558)", ("tokens",), ("slot", "key", "principal", "bool"), "attack", 2,
      "slot {slot}: forged token for principal {principal}, {cae}, signed by {key}"),
    S(A.ValidateToken, _run(steps.validate), "§7 validation", ("last",), ("slot",), "token", 6,
      "the resource validates slot {slot}"),
    S(A.RetireKey, _run(steps.retire), "§7 key rollover", ("published",), ("key",), "key", 2, "{key} leaves the key set"),
    S(A.RevokePrincipal, _run(steps.revoke), "§7 revocation", ("revoked", "revoked_at"), ("principal",), "revocation", 2,
      "principal {principal} is revoked"),
    S(A.DeliverRevocation, _run(steps.deliver), "§7 CAE", ("seen",), ("evaluator", "principal"), "revocation", 3,
      "{evaluator} learns principal {principal}'s revocation"),
    S(A.PrimaryAuthFails, _run(steps.primary_fail), "§7 backup (seed 003)", ("primary_up",), (), "outage", 2,
      "the primary authentication system goes down"),
    S(A.PrimaryAuthRecovers, _run(steps.primary_recover), "§7 backup (seed 003)", ("primary_up",), (), "outage", 1,
      "the primary authentication system is back"),
    S(A.BackupServe, _run(steps.backup_serve), "§7 backup (seed 003)", ("last",), ("slot",), "outage", 5,
      "the backup serves slot {slot}"),
    S(A.ClockTick, _run(steps.tick), "§7 time", ("now",), ("minutes",), "time", 4, "{minutes} minute(s) pass"),
)
ID_SPECS: dict[type, IdStepSpec] = {s.action: s for s in ID_NEXT}
ID_BY_NAME: dict[str, IdStepSpec] = {s.name: s for s in ID_NEXT}
ID_ACTION_TYPES: tuple[type, ...] = tuple(ID_SPECS)
# Per action class: (step function, argument names, their domain kinds), looked up once (the hot path).
_RUN = run_table(ID_NEXT)
# Every action whose arguments range over fixed domains (all but the tick), made once.
_FIXED = tuple(s.action(*args) for s in ID_NEXT if s.action is not A.ClockTick for args in s.arguments(None))  # type: ignore[arg-type]


def _bad(kind: str, v: Any) -> Optional[str]:
    if kind in ID_INPUTS:
        return None if type(v) is int else f"{v!r} is not a number of minutes"
    domain = id_domain(kind)
    return outside(kind, v, domain) if v not in domain or type(v) is not type(domain[0]) else None


def id_step(state: IdState, action: Any) -> IdState | Rejected:
    """Run one identity action: the new state, or a rejection that says why not."""
    return cast("IdState | Rejected", execute(_RUN, "identity", _bad, state, action))


def tick_minutes(state: IdState) -> list[int]:
    """One minute, or a jump to the next interesting instants (either side of
    a key's validity edge, a token's expiry, a session's 3 days, a
    revocation's Δ and 1 h bounds), so deep time is reachable."""
    now, marks = state.now, set()
    for k in KEYS:
        marks |= {k.valid_from, k.valid_until, k.valid_until + 1} | ({k.leaked_from} if k.leaked_from else set())
    for t in state.tokens:
        if t.present:
            marks |= {t.iat + t.lifetime - 1, t.iat + t.lifetime, t.iat + BACKUP_MINUTES - 1,
                      t.iat + BACKUP_MINUTES}
    for p in range(PRINCIPALS):
        if state.revoked[p]:
            r = state.revoked_at[p]
            marks |= {r + lag(state.config) - 1, r + lag(state.config), r + 59, r + 60}
    return sorted({1} | {m - now for m in marks if now + 1 < m < now + 10 * BACKUP_MINUTES})


def id_candidates(state: IdState) -> Iterator[Any]:
    """Every action worth trying (a superset of the enabled ones)."""
    yield from _FIXED
    yield from map(A.ClockTick, tick_minutes(state))


def id_enabled(state: IdState, keep: Optional[Callable[[Any], bool]] = None) -> list[tuple[Any, IdState]]:
    """Every candidate that runs (of those `keep` keeps), with its successor
    (the candidates' arguments are in their domains by construction: no
    argument check)."""
    return enabled_among(_RUN, state, filter(keep, id_candidates(state)) if keep else id_candidates(state))


def id_allows(state: IdState, action: Any) -> Any:
    """The step is enabled in `state` (a verdict: a concrete run gives the
    rejection's reason; a symbolic run asks the engine for the derived guard)."""
    return allows_by(id_step, state, action)
