"""The identity layer's actions: one class per step (model/identity/steps.py).

Their step names (snake_case of the class) differ from every replication
step's, so a counterexample file names its machine by its steps alone.
"""

from __future__ import annotations

from typing import Union

import attrs


@attrs.frozen
class IssueToken:
    """§7 sign-in: the primary issues a token in `slot`, signed by `key`."""

    slot: int
    key: int
    principal: int
    cae: bool


@attrs.frozen
class ForgeToken:
    """The attacker presents a token it signed with a key it holds."""

    slot: int
    key: int
    principal: int
    cae: bool


@attrs.frozen
class ValidateToken:
    """§7 the resource validates the token in `slot`."""

    slot: int


@attrs.frozen
class RetireKey:
    """§7 rollover: `key` leaves the published set."""

    key: int


@attrs.frozen
class RevokePrincipal:
    """§7 an admin revokes `principal`'s sessions."""

    principal: int


@attrs.frozen
class DeliverRevocation:
    """§7 `principal`'s revocation reaches `evaluator`."""

    evaluator: int
    principal: int


@attrs.frozen
class PrimaryAuthFails:
    """Seed 003: the primary authentication system goes down."""


@attrs.frozen
class PrimaryAuthRecovers:
    """The primary authentication system is back."""


@attrs.frozen
class BackupServe:
    """Seed 003: the backup authenticator serves the session in `slot`."""

    slot: int


@attrs.frozen
class ClockTick:
    """Time passes by `minutes`."""

    minutes: int = 1


IdAction = Union[IssueToken, ForgeToken, ValidateToken, RetireKey, RevokePrincipal, DeliverRevocation,
                 PrimaryAuthFails, PrimaryAuthRecovers, BackupServe, ClockTick]
