"""The identity layer (design.md §7, seed 003): signing keys, tokens,
revocation with CAE and the backup authenticator, a state machine of its
own beside the partition (docs/model.md, "Identity layer")."""

from .actions import (BackupServe, ClockTick, DeliverRevocation, ForgeToken, IdAction, IssueToken,
                      PrimaryAuthFails, PrimaryAuthRecovers, RetireKey, RevokePrincipal, ValidateToken)
from .next import (ID_ACTION_TYPES, ID_BY_NAME, ID_NEXT, ID_SPECS, IdStepSpec, id_candidates, id_enabled,
                   id_step, tick_minutes)
from .state import (BACKUP, BACKUP_MINUTES, CAE_TOKEN_MINUTES, ENTERPRISE_KEYS, EVALUATORS, KEYS, PRINCIPALS, RESOURCE,
                    SCOPES, SLOTS, TOKEN_MINUTES, Acceptance, IdState, IdToken, initial_id_state, lag)

__all__ = [n for n in dir() if not n.startswith("_")]
