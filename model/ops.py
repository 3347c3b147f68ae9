"""Every directory operation (design.md §3; issue 14), and the write a log
entry carries.

The operations are defined in model/objects.py (create, update, soft
delete, restore, permanent delete, purge, backup recovery),
model/deletes.py (typed bulk delete, expiry) and model/links.py (group
memberships); `Op` is their union, which serialisation tags by name.
`Write` lives in model/objects.py (an operation makes its own write) and
names `Op` only for type checkers; its annotation is resolved here, once
the union exists, so that cattrs structures a write's operation by it.
"""

from __future__ import annotations

from typing import Union

import attrs

from . import objects
from .deletes import BulkDelete, Expire
from .links import AddMember, RemoveMember
from .objects import (Create, PermanentDelete, Purge, RecoverFromBackup, Reinstate, Restore, SoftDelete, Update,
                      Write)

Op = Union[Create, Update, SoftDelete, Restore, PermanentDelete, Purge, RecoverFromBackup, BulkDelete, Expire,
           AddMember, RemoveMember, Reinstate]
OP_TYPES = (Create, Update, SoftDelete, Restore, PermanentDelete, Purge, RecoverFromBackup, BulkDelete, Expire,
            AddMember, RemoveMember, Reinstate)

attrs.resolve_types(Write, globalns={**vars(objects), "Op": Op})
