"""The auxiliary invariants of the identity layer's inductive proof
(dirproof/identity/z3_engine.py), written in the model's language: each is
a fact of every reachable state of the safe design that the properties'
proof needs (tests/test_identity_z3.py checks them on explored states too).
"""

from __future__ import annotations

from typing import Any, Callable

from dirproof.model.algebra import ALL, AND, EQ, IMPLIES, ITE, NOT, OR, choose
from dirproof.model.identity import (CAE_TOKEN_MINUTES, ENTERPRISE_KEYS, EVALUATORS, KEYS, PRINCIPALS,
                                     SLOTS, TOKEN_MINUTES, IdState, lag)
from dirproof.model.identity.state import ENTERPRISE
from dirproof.model.identity.steps import pending, valid_at


def _tokens(s: IdState, fn: Callable[[Any], Any]) -> Any:
    return ALL(fn(s.tokens[i]) for i in range(SLOTS))


def revocations_in_flight_are_recent(s: IdState) -> Any:
    """A revocation an evaluator should have and lacks is younger than Δ (the tick's guard)."""
    return ALL(IMPLIES(pending(s, e, p), s.now < s.revoked_at[p] + lag(s.config))
               for e in range(len(EVALUATORS)) for p in range(PRINCIPALS))


def lifetimes_are_the_seeds(s: IdState) -> Any:
    """A present token lives 24 h if CAE-aware, else 1 h; it was issued no later than now."""
    return _tokens(s, lambda t: IMPLIES(t.present, AND(EQ(t.lifetime, ITE(t.cae, CAE_TOKEN_MINUTES, TOKEN_MINUTES)),
                                                         t.iat <= s.now, EQ(t.scope, ENTERPRISE))))


def issued_before_revocation(s: IdState) -> Any:
    """An issued (not forged) token of a revoked principal was issued no later than the revocation."""
    def one(t: Any) -> Any:
        p = choose(t.principal, range(PRINCIPALS))
        return IMPLIES(AND(t.present, NOT(t.forged), s.revoked[p]), t.iat <= s.revoked_at[p])
    return _tokens(s, one)


def forged_tokens_never_validate(s: IdState) -> Any:
    """A forged token is signed by a key out of its scope or outside its window at issue."""
    def one(t: Any) -> Any:
        k = choose(t.key, range(len(KEYS)))
        return IMPLIES(AND(t.present, t.forged), OR(NOT(EQ(KEYS[k].scope, t.scope)), NOT(valid_at(k, t.iat))))
    return _tokens(s, one)


def cached_sessions_are_issued(s: IdState) -> Any:
    """The backup holds only issued tokens, of an enterprise key valid at issue."""
    def one(t: Any) -> Any:
        k = choose(t.key, range(len(KEYS)))
        return IMPLIES(t.cached, AND(t.present, NOT(t.forged), k in ENTERPRISE_KEYS, valid_at(k, t.iat)))
    return _tokens(s, one)


def acceptances_are_past(s: IdState) -> Any:
    """The last acceptance happened no later than now, and revocations too."""
    return AND(IMPLIES(s.last.present, s.last.at <= s.now),
               ALL(IMPLIES(s.revoked[p], s.revoked_at[p] <= s.now) for p in range(PRINCIPALS)))


def deliveries_follow_revocations(s: IdState) -> Any:
    """An evaluator has only revocations that were made."""
    return ALL(IMPLIES(s.seen[e][p], s.revoked[p]) for e in range(len(EVALUATORS)) for p in range(PRINCIPALS))


ID_INVARIANTS: dict[str, Callable[[IdState], Any]] = {
    "revocations-in-flight-are-recent": revocations_in_flight_are_recent,
    "lifetimes-are-the-seeds": lifetimes_are_the_seeds,
    "issued-before-revocation": issued_before_revocation,
    "forged-tokens-never-validate": forged_tokens_never_validate,
    "cached-sessions-are-issued": cached_sessions_are_issued,
    "acceptances-are-past": acceptances_are_past,
    "deliveries-follow-revocations": deliveries_follow_revocations,
}
