"""The identity layer's properties (design.md §7, seed 003), stated once.

Each verdict is written in the language of model/algebra.py over an
identity state (model/identity/): a concrete run gives True or a `Fail`
that says what broke; dirproof/identity/z3.py evaluates the same functions
on Z3 terms. The acceptance properties judge `last` (the acceptance the
step just made): they are checked after every step, so every acceptance is
judged when it happens. `sessions-survive-outage` is about which steps are
enabled (availability): its Z3 form reads the derived guard of the backup's
step (`id_allows`), as bounded-write-unavailability does for the partition.
"""

from __future__ import annotations

from typing import Any, Callable

import attrs

from dirproof.model.algebra import ALL, AND, EQ, IMPLIES, ITE, NOT, OR, check, choose
from dirproof.model.identity import (BACKUP, BACKUP_MINUTES, EVALUATORS, KEYS, PRINCIPALS, RESOURCE, SLOTS,
                                     TOKEN_MINUTES, BackupServe, IdState, lag)
from dirproof.model.identity.next import id_allows
from dirproof.model.identity.steps import live, valid_at

from .side import SideProperty, violations_of


@attrs.frozen
class IdProperty(SideProperty):
    """A property of the identity layer: the shape of properties/base.py
    Property, judged on an identity state alone (no history monitors)."""

    layer: str = "identity"  # "identity": has a Z3 form; "identity-availability": exploration only


def _key_of(last: Any) -> int:
    return choose(last.key, range(len(KEYS)))


def no_out_of_scope_key_accepted(s: IdState) -> Any:
    k = _key_of(s.last)
    return check(IMPLIES(s.last.present, EQ(KEYS[k].scope, s.last.scope)),
                 lambda: f"minute {s.last.at}: a token of principal {s.last.principal} signed by "
                         f"{KEYS[k].name} (another scope) was accepted")


def no_expired_key_accepted(s: IdState) -> Any:
    k = _key_of(s.last)
    return check(IMPLIES(s.last.present, valid_at(k, s.last.iat)),
                 lambda: f"minute {s.last.at}: a token issued at minute {s.last.iat} was accepted, signed by "
                         f"{KEYS[k].name}, valid only {KEYS[k].valid_from}..{KEYS[k].valid_until}")


def live_tokens_verifiable(s: IdState) -> Any:
    def ok(slot: int) -> Any:
        tok = s.tokens[slot]
        k = choose(tok.key, range(len(KEYS)))
        return check(IMPLIES(AND(live(s, tok), NOT(tok.forged)), s.published[k]),
                     lambda: f"minute {s.now}: the live token in slot {slot} is signed by {KEYS[k].name}, "
                             f"which is no longer published: its sign-ins fail")
    return ALL(ok(slot) for slot in range(SLOTS))


def revocation_bound(s: IdState, cae: Any) -> Any:
    """Δ for a CAE-aware app's token; the token's 1 h lifetime for any other."""
    return ITE(cae, lag(s.config), TOKEN_MINUTES)


def revocation_bounded(s: IdState) -> Any:
    a = s.last
    p = choose(a.principal, range(PRINCIPALS))
    bound = revocation_bound(s, a.cae)
    return check(IMPLIES(AND(a.present, EQ(a.by, RESOURCE), s.revoked[p]), a.at < s.revoked_at[p] + bound),
                 lambda: f"minute {a.at}: the resource accepted a token of principal {p}, revoked at minute "
                         f"{s.revoked_at[p]} (bound {bound} minutes)")


def backup_fails_closed(s: IdState) -> Any:
    a = s.last
    p = choose(a.principal, range(PRINCIPALS))
    young = check(IMPLIES(AND(a.present, EQ(a.by, BACKUP)), a.at < a.iat + BACKUP_MINUTES),
                  lambda: f"minute {a.at}: the backup served a session from minute {a.iat}, 3 days old or older")
    fresh = check(IMPLIES(AND(a.present, EQ(a.by, BACKUP), s.revoked[p]), a.at < s.revoked_at[p] + lag(s.config)),
                  lambda: f"minute {a.at}: the backup served principal {p}, revoked at minute {s.revoked_at[p]} "
                          f"(more than {lag(s.config)} minutes before)")
    return AND(young, fresh)


def sessions_survive_outage(s: IdState) -> Any:
    """While the primary is down, every cached, unrevoked session younger
    than 3 days can be served by the backup (its step is enabled)."""
    def ok(slot: int) -> Any:
        tok = s.tokens[slot]
        p = choose(tok.principal, range(PRINCIPALS))
        due = AND(NOT(s.primary_up), tok.present, tok.cached, s.now < tok.iat + BACKUP_MINUTES, NOT(s.revoked[p]))
        served = id_allows(s, BackupServe(slot))
        return check(IMPLIES(due, served),
                     lambda: f"minute {s.now}: the primary is down and the backup refuses the "
                             f"{s.now - tok.iat}-minute-old session in slot {slot}: {getattr(served, 'message', '')}")
    return ALL(ok(slot) for slot in range(SLOTS))


def _p(pid: str, statement: str, fact: str, fn: Callable, layer: str = "identity") -> IdProperty:
    return IdProperty(pid, statement, fact, ("003",), (), fn, layer)


IDENTITY_PROPERTIES: dict[str, IdProperty] = {p.id: p for p in (
    _p("no-out-of-scope-key-accepted",
       "No token is accepted whose signing key belongs to another scope than the token's (a consumer key "
       "for an enterprise tenant).",
       "Storm-0558 (2023): an expired consumer signing key was accepted for enterprise tenants.",
       no_out_of_scope_key_accepted),
    _p("no-expired-key-accepted",
       "No token is accepted whose signing key was outside its validity window when the token was issued.",
       "Storm-0558 (2023): an expired signing key still worked; validity was not verified.",
       no_expired_key_accepted),
    _p("live-tokens-verifiable",
       "Every unexpired issued token's signing key is still in the published key set (sign-in availability).",
       "Signing keys are kept in many places and an update must reach all of them.",
       live_tokens_verifiable),
    _p("revocation-bounded",
       "No token is accepted at minute t for a principal revoked at or before t - bound: bound = Δ "
       "(15 minutes by default) for a CAE-aware app's token, its 1 h lifetime for any other.",
       "CAE: revocation in near real time (minutes); tokens of CAE-aware apps live 24 h instead of 1 h.",
       revocation_bounded),
    _p("sessions-survive-outage",
       "While the primary authentication system is down, the backup serves every existing, unrevoked "
       "session younger than 3 days.",
       "The backup authentication system keeps tokens and sessions for up to 3 days and keeps existing "
       "sessions working while the primary system is down.", sessions_survive_outage, "identity-availability"),
    _p("backup-fails-closed",
       "The backup authenticator serves no session 3 days old or older, and none of a principal revoked "
       "Δ or more before.",
       "The backup keeps sessions for up to 3 days; no account creation or group change during the outage.",
       backup_fails_closed),
)}


def _accepted_by(s: IdState, by: int) -> Any:
    return AND(s.last.present, EQ(s.last.by, by))


def _revoked_acceptance(s: IdState) -> Any:
    p = choose(s.last.principal, range(PRINCIPALS))
    return AND(_accepted_by(s, RESOURCE), s.revoked[p], s.revoked_at[p] <= s.last.at)


def _young_session_in_outage(s: IdState) -> Any:
    return AND(NOT(s.primary_up), OR(*(AND(t.cached, s.now < t.iat + BACKUP_MINUTES) for t in s.tokens)))


# What each property speaks of (its reachability witness, as properties/subjects.py
# for the partition): a proof is "vacuous" unless some execution reaches it.
IDENTITY_SUBJECTS: dict[str, Callable[[IdState], Any]] = {
    "no-out-of-scope-key-accepted": lambda s: _accepted_by(s, RESOURCE),
    "no-expired-key-accepted": lambda s: _accepted_by(s, RESOURCE),
    "live-tokens-verifiable": lambda s: OR(*(AND(live(s, t), NOT(t.forged)) for t in s.tokens)),
    "revocation-bounded": _revoked_acceptance,
    "sessions-survive-outage": _young_session_in_outage,
    "backup-fails-closed": lambda s: _accepted_by(s, BACKUP),
}


def id_violations(state: IdState, ids=None) -> list[tuple[str, str]]:
    """(property, message) for every identity property (or those named) broken in `state`."""
    return violations_of(IDENTITY_PROPERTIES, state, ids)


__all__ = ["IdProperty", "IDENTITY_PROPERTIES", "id_violations", "EVALUATORS"]
