"""The identity layer in words, for `dirproof replay` (dirproof/replay/machines.py
makes the machine of it): a step, what it changed, the start."""

from __future__ import annotations

from typing import Any

from dirproof.model.identity import EVALUATORS, ID_SPECS, KEYS, SCOPES, IdState


def text(action: Any, config: Any = None) -> str:
    spec = ID_SPECS.get(type(action))
    return repr(action) if spec is None else spec.text(action, config)


def _token(t: Any) -> str:
    if not t.present:
        return "empty"
    return (f"{'forged ' if t.forged else ''}token of principal {t.principal} by {KEYS[t.key].name}, "
            f"issued minute {t.iat}, lives {t.lifetime} min{', CAE' if t.cae else ''}"
            f"{', held by the backup' if t.cached else ''}")


def diff(a: IdState, b: IdState) -> list[str]:
    """What one identity step changed, one line per change."""
    out = []
    if a.now != b.now:
        out.append(f"clock: minute {a.now} -> {b.now}")
    if a.primary_up != b.primary_up:
        out.append(f"primary authentication: {'up' if b.primary_up else 'down'}")
    for k, (x, y) in enumerate(zip(a.published, b.published)):
        if x != y:
            out.append(f"{KEYS[k].name} ({SCOPES[KEYS[k].scope]}): {'published' if y else 'retired'}")
    for s, (x, y) in enumerate(zip(a.tokens, b.tokens)):
        if x != y:
            out.append(f"slot {s}: {_token(y)}")
    for p, (x, y) in enumerate(zip(a.revoked, b.revoked)):
        if x != y:
            out.append(f"principal {p}: revoked at minute {b.revoked_at[p]}")
    for e, (x, y) in enumerate(zip(a.seen, b.seen)):
        for p, (u, v) in enumerate(zip(x, y)):
            if u != v:
                out.append(f"the {EVALUATORS[e]} has principal {p}'s revocation")
    if a.last != b.last and b.last.present:
        out.append(f"the {EVALUATORS[b.last.by]} accepts principal {b.last.principal}'s token "
                   f"(by {KEYS[b.last.key].name}, issued minute {b.last.iat}) at minute {b.last.at}")
    return out


def start(state: IdState) -> str:
    return (f"minute {state.now}, primary authentication up, keys "
            + ", ".join(f"{k.name} ({SCOPES[k.scope]}, valid {k.valid_from}..{k.valid_until})" for k in KEYS)
            + f", revocation bound {state.config.revocation_lag_minutes} min")
