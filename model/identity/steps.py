"""The identity layer's steps (design.md §7, seed 003), each written once in
the language of model/algebra.py so that the exploration runs them on
Python values and dirproof/identity/z3.py runs them on Z3 terms.

A seeded flaw is a `cfg.has(...)` at the one place it changes.
"""

from __future__ import annotations

from typing import Any

from ..algebra import AND, EQ, ITE, NOT, OR, choose, require
from ..records import evolve
from .state import (BACKUP, BACKUP_MINUTES, CAE_TOKEN_MINUTES, ENTERPRISE, EVALUATORS, KEYS,
                    PRINCIPALS, RESOURCE, SLOTS, TOKEN_MINUTES, Acceptance, IdState, IdToken, lag)


def _put(xs: tuple, i: int, v: Any) -> tuple:
    return xs[:i] + (v,) + xs[i + 1:]


def live(state: IdState, tok: IdToken) -> Any:
    """The token is unexpired at the state's minute."""
    return AND(tok.present, state.now < tok.iat + tok.lifetime)


def valid_at(key: int, t: Any) -> Any:
    """Minute t is inside the key's validity window."""
    k = KEYS[key]
    return AND(k.valid_from <= t, t <= k.valid_until)


def lifetime(state: IdState, cae: Any) -> Any:
    """1 h, or 24 h for a CAE-aware app (seed 003); the flaw gives 24 h to every app."""
    if state.config.has("cae-lifetime-without-enforcement"):
        return CAE_TOKEN_MINUTES
    return ITE(cae, CAE_TOKEN_MINUTES, TOKEN_MINUTES)


def _free(state: IdState, slot: int) -> None:
    tok = state.tokens[slot]
    require(NOT(live(state, tok)), lambda: f"slot {slot} holds a live token")


def issue(state: IdState, slot: int, key: int, principal: int, cae: bool) -> IdState:
    """§7 sign-in: the primary system issues a token for an enterprise
    principal, signed by a published enterprise key valid now; the backup
    authenticator is fed the new session (seed 003)."""
    require(state.primary_up, "the primary authentication system is down: no sign-in")
    require(KEYS[key].scope == ENTERPRISE, lambda: f"{KEYS[key].name} is not an enterprise key")
    require(state.published[key], lambda: f"{KEYS[key].name} is not published")
    require(valid_at(key, state.now), lambda: f"{KEYS[key].name} is not valid at minute {state.now}")
    require(NOT(state.revoked[principal]), lambda: f"principal {principal} is revoked")
    _free(state, slot)
    tok = IdToken(True, key, ENTERPRISE, principal, state.now, lifetime(state, cae), cae, False, True)
    return evolve(state, tokens=_put(state.tokens, slot, tok))


def forge(state: IdState, slot: int, key: int, principal: int, cae: bool) -> IdState:
    """The attacker presents an enterprise token of its own, signed by a key
    it holds (the consumer key, or the old enterprise key once expired):
    the Storm-0558 class of seed 003. The backup never holds it."""
    leaked = KEYS[key].leaked_from
    require(leaked is not None, lambda: f"the attacker never holds {KEYS[key].name}")
    require(leaked <= state.now, lambda: f"the attacker does not hold {KEYS[key].name} yet")
    _free(state, slot)
    tok = IdToken(True, key, ENTERPRISE, principal, state.now, lifetime(state, cae), cae, True, False)
    return evolve(state, tokens=_put(state.tokens, slot, tok))


def _accept(state: IdState, tok: IdToken, by: int) -> IdState:
    seen = Acceptance(True, tok.key, tok.scope, tok.principal, tok.iat, tok.lifetime, tok.cae, state.now, by)
    return evolve(state, last=seen)


def validate(state: IdState, slot: int) -> IdState:
    """§7 a resource validates a presented token: its key is published, of
    the token's scope and valid at the token's issue time; the token is
    unexpired; a CAE-aware app's token is refused once the resource has
    the principal's revocation (CAE)."""
    cfg = state.config
    tok = state.tokens[slot]
    require(live(state, tok), lambda: f"slot {slot} holds no live token")
    key = choose(tok.key, range(len(KEYS)))
    require(state.published[key], lambda: f"{KEYS[key].name} is not in the published key set")
    if not cfg.has("key-scope-unchecked"):
        require(EQ(KEYS[key].scope, tok.scope), lambda: f"{KEYS[key].name} is out of the token's scope")
    if not cfg.has("key-validity-unchecked"):
        require(valid_at(key, tok.iat), lambda: f"{KEYS[key].name} was not valid when the token was issued")
    p = choose(tok.principal, range(PRINCIPALS))
    if not cfg.has("evaluator-ignores-revocation"):
        require(NOT(AND(tok.cae, state.seen[RESOURCE][p])),
                lambda: f"the resource has principal {p}'s revocation (CAE)")
    return _accept(state, tok, RESOURCE)


def retire(state: IdState, key: int) -> IdState:
    """§7 rollover: a key leaves the published set only when no unexpired
    issued token signed by it remains (the flaw retires it regardless)."""
    require(state.published[key], lambda: f"{KEYS[key].name} is not published")
    if not state.config.has("retire-live-key"):
        for s, tok in enumerate(state.tokens):
            require(NOT(AND(live(state, tok), NOT(tok.forged), EQ(tok.key, key))),
                    lambda s=s: f"slot {s} holds a live token signed by {KEYS[key].name}")
    return evolve(state, published=_put(state.published, key, False))


def revoke(state: IdState, principal: int) -> IdState:
    """§7 an admin revokes a principal's sessions, through the primary system."""
    require(state.primary_up, "the primary authentication system is down: no change")
    require(NOT(state.revoked[principal]), lambda: f"principal {principal} is already revoked")
    return evolve(state, revoked=_put(state.revoked, principal, True),
                  revoked_at=_put(state.revoked_at, principal, state.now))


def subscribed(state: IdState, evaluator: int) -> bool:
    """The evaluator receives revocations (the flaw leaves the backup out)."""
    return not (evaluator == BACKUP and state.config.has("backup-misses-revocations"))


def deliver(state: IdState, evaluator: int, principal: int) -> IdState:
    """§7 a revocation reaches an evaluator (within Δ: the tick's guard)."""
    require(subscribed(state, evaluator), lambda: f"the {EVALUATORS[evaluator]} receives no revocations")
    require(state.revoked[principal], lambda: f"principal {principal} is not revoked")
    require(NOT(state.seen[evaluator][principal]), "already delivered")
    row = _put(state.seen[evaluator], principal, True)
    return evolve(state, seen=_put(state.seen, evaluator, row))


def primary_fail(state: IdState) -> IdState:
    """Seed 003: the primary authentication system goes down."""
    require(state.primary_up, "the primary is already down")
    return evolve(state, primary_up=False)


def primary_recover(state: IdState) -> IdState:
    require(NOT(state.primary_up), "the primary is up")
    return evolve(state, primary_up=True)


def backup_serve(state: IdState, slot: int) -> IdState:
    """Seed 003: while the primary is down the backup authenticator keeps a
    cached session working if it is younger than 3 days and not revoked as
    far as the backup knows; it never creates accounts or changes groups
    (it has no such step)."""
    cfg = state.config
    tok = state.tokens[slot]
    if cfg.has("backup-depends-on-primary"):
        require(state.primary_up, "the backup asks the primary, which is down")
    require(NOT(state.primary_up), "the primary serves sign-ins")
    require(AND(tok.present, tok.cached), lambda: f"the backup holds no session in slot {slot}")
    if not cfg.has("backup-serves-any-age"):
        require(state.now < tok.iat + BACKUP_MINUTES, lambda: f"the session in slot {slot} is 3 days old")
    p = choose(tok.principal, range(PRINCIPALS))
    require(NOT(state.seen[BACKUP][p]), lambda: f"the backup has principal {p}'s revocation")
    return _accept(state, tok, BACKUP)


def pending(state: IdState, evaluator: int, principal: int) -> Any:
    """A revocation the evaluator should receive and has not."""
    return AND(subscribed(state, evaluator), state.revoked[principal], NOT(state.seen[evaluator][principal]))


def tick(state: IdState, minutes: Any) -> IdState:
    """Time passes. The environment delivers every revocation within Δ
    (design.md §7): time cannot pass the deadline of an undelivered one."""
    require(minutes >= 1, lambda: f"time moves forward only: cannot tick {minutes} minutes")
    end = state.now + minutes
    for e in range(len(EVALUATORS)):
        for p in range(PRINCIPALS):
            require(OR(NOT(pending(state, e, p)), end < state.revoked_at[p] + lag(state.config)),
                    lambda e=e, p=p: f"principal {p}'s revocation must reach the {EVALUATORS[e]} first")
    return evolve(state, now=end)


__all__ = ["issue", "forge", "validate", "retire", "revoke", "deliver", "primary_fail", "primary_recover",
           "backup_serve", "tick", "live", "valid_at", "pending", "SLOTS"]
