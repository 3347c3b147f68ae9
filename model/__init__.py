"""dirproof.model: a pure, deterministic state machine of one directory partition.

No I/O, no clocks, no randomness. See docs/model.md, which follows
../shared/design.md section by section.
"""

from .actions import (Acknowledge, Action, ClientWrite, Crash, EmergencyFailover, Heal, LoseDisk,
                      LoseRegion, MoveSession, Partition, PlannedFailover, Read, Recover, Rejected,
                      Rejoin, ReplacePassive, ReplicateToPassive, ReplicateToSecondary, Tick,
                      step_name)
from .actions import CrashUnclean, Flush, RetryWrite
from .actions import AcknowledgeAlone, LoseOrchestratorChange, RestoreImage, ShrinkSyncSet, TakeImage
from .actions import HandToken, Probe, Reroute
from .actions import CollectTombstones, Rebuild
from .objects import Reinstate
from .tombstones import collect_tombstones, rebuild
from .backups import Difference, committed_view, difference_report, tick
from .config import FLAWS, KINDS, PROFILES, Config, ConfigError, Datacenter, Flaw, make_config
from .election import emergency_failover, planned_failover, replace_passive
from .faults import crash, heal, lose_disk, lose_region, partition, recover
from .durable import crash_unclean, flush, retry_write
from .objects import (GONE, LIVE, SOFT_DELETED, Create, ObjectRecord,
                      PermanentDelete, Purge, RecoverFromBackup, Restore, SoftDelete, Update,
                      view_of)
from .ops import OP_TYPES, AddMember, BulkDelete, Expire, Op, RemoveMember  # issue 14: ops.py holds the union
from .replication import (acknowledge, client_write, rejoin, replicate_to_passive,
                          replicate_to_secondary)
from .serialize import (FORMAT_VERSION, FormatError, action_from_json, action_to_json, canonical,
                        config_from_json, config_to_json, state_from_json, state_to_json)
from .sessions import hand_token, move_session, read
from .gateway import healthy, probe, reroute, route_target
from .next import ACTION_TYPES, BY_NAME, NEXT, SPECS, StepSpec, candidates, enabled, step
from .records import SYSTEM
from .state import (NULL_ENTRY, Acked, Entry, FailedOver, FaultBudget, Orchestrator, ReadServed,
                    Replica, Session, Snapshot, State, Token, Write, acting, acting_ap, believes_ap,
                    connected, initial_state)
from .state import HandedOff

__all__ = [n for n in dir() if not n.startswith("_")]
