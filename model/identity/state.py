"""The identity layer's state: a clock in minutes, signing keys, tokens,
revocations and the backup authenticator (design.md §7, seed 003).

This is a state machine of its own beside the partition (model/state.py):
it reads nothing of the replication log and the replication never reads it.
Its scope is fixed and small, so the same functions run on Z3 terms
(dirproof/identity/z3.py) and in the exploration:

* three signing keys (the table `KEYS`): an enterprise key in use from the
  start and retired by rollover at minute 120, its enterprise successor
  valid from minute 60, and a consumer key (another issuer's scope);
* `SLOTS` token slots (a slot is one sign-in: its session and its token),
  `PRINCIPALS` principals, two evaluators (a resource that validates
  tokens, and the backup authenticator).

Numbers from the seeds (design.md §1, §7): tokens live 1 h, 24 h for
CAE-aware apps; the backup keeps sessions for 3 days; the revocation bound
Δ is the Config knob `revocation_lag_minutes` (design.md §7: 15 minutes).
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from ..config import Config

MINUTE, HOUR, DAY = 1, 60, 24 * 60
TOKEN_MINUTES = 1 * HOUR  # seed 003: a token lives 1 h ...
CAE_TOKEN_MINUTES = 24 * HOUR  # ... 24 h for a CAE-aware app
BACKUP_MINUTES = 3 * DAY  # seed 003: the backup keeps sessions for up to 3 days
FOREVER = 10 ** 6  # a key window that does not end within any run

ENTERPRISE, CONSUMER = 0, 1
SCOPES = ("enterprise", "consumer")
RESOURCE, BACKUP = 0, 1  # the evaluators
EVALUATORS = ("resource", "backup")
SLOTS, PRINCIPALS = 2, 2


@attrs.frozen
class Key:
    """A signing key: its scope, its validity window [valid_from, valid_until]
    (minutes), and from when an attacker holds a copy (None: never)."""

    name: str
    scope: int
    valid_from: int
    valid_until: int
    leaked_from: Optional[int]


# The key table (a choice of this model, docs/model.md "Identity layer"):
# K-old signs until its rollover at minute 120 and leaks only after it has
# expired (the Storm-0558 class: an expired key still usable by whoever
# holds it); K-new is valid from minute 60; K-consumer belongs to the
# consumer issuer, whose key material the attacker holds.
KEYS: tuple[Key, ...] = (
    Key("K-old", ENTERPRISE, 0, 120, 121),
    Key("K-new", ENTERPRISE, 60, FOREVER, None),
    Key("K-consumer", CONSUMER, 0, FOREVER, 0),
)


ENTERPRISE_KEYS = tuple(k for k, key in enumerate(KEYS) if key.scope == ENTERPRISE)


@attrs.frozen
class IdToken:
    """One sign-in: a token signed by `key` for a principal of `scope`,
    issued at minute `iat` for `lifetime` minutes; `forged` when the
    attacker made it, `cached` when the backup authenticator holds it."""

    present: Any = False
    key: Any = 0
    scope: Any = ENTERPRISE
    principal: Any = 0
    iat: Any = 0
    lifetime: Any = 0
    cae: Any = False
    forged: Any = False
    cached: Any = False


@attrs.frozen
class Acceptance:
    """The last token an evaluator accepted: the token's fields, the minute
    `at` and the evaluator `by` (the properties judge every acceptance as it
    happens, since they are checked after every step)."""

    present: Any = False
    key: Any = 0
    scope: Any = ENTERPRISE
    principal: Any = 0
    iat: Any = 0
    lifetime: Any = 0
    cae: Any = False
    at: Any = 0
    by: Any = RESOURCE


@attrs.frozen
class IdState:
    """The identity layer at one minute (design.md §7)."""

    config: Config = attrs.field(eq=False, repr=False)
    now: Any = 0
    primary_up: Any = True
    published: tuple = (True,) * len(KEYS)  # the key set validators read
    tokens: tuple = (IdToken(),) * SLOTS
    revoked: tuple = (False,) * PRINCIPALS
    revoked_at: tuple = (0,) * PRINCIPALS
    seen: tuple = ((False,) * PRINCIPALS,) * len(EVALUATORS)  # revocations each evaluator has
    last: Acceptance = Acceptance()


FIELDS = ("now", "primary_up", "published", "tokens", "revoked", "revoked_at", "seen", "last")


def initial_id_state(config: Config) -> IdState:
    """Minute 0: the primary is up, every key published, no token, no revocation."""
    return IdState(config)


def lag(config: Config) -> int:
    """Δ: how long a revocation may take to reach an evaluator (design.md §7)."""
    return config.revocation_lag_minutes
