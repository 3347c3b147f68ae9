"""Mutants of the model's Python code: each removes one safety guard.

A mutant edits the source of one step function of model/ (a textual
replacement, checked to match exactly once), recompiles it and swaps the
function's code object in place, so every reference to the function (the
registry `NEXT`, other modules) runs the mutant. Nothing else changes: in
particular nothing in the Z3 engine. With one source, the Z3 proof runs the
mutant too (tests/test_mutants.py).
"""

from __future__ import annotations

import contextlib
import inspect
import textwrap
from typing import Callable, Iterator

import attrs

from dirproof.model import election, replication, sessions


@attrs.frozen
class Mutant:
    name: str  # the guard it removes
    function: Callable
    old: str
    new: str
    protects: str  # the property whose proof must fail
    scenario: str  # the flaw scenario (tests/scenarios.py) that shows the violation


MUTANTS = (
    Mutant("epoch fencing", replication.fenced,
           "return sender_epoch < receiver_epoch", "return False", "no-acked-write-lost", "no-fencing"),
    Mutant("in-sync check before promotion", election.emergency_failover,
           "require(orch.pp_in_sync,", "require(True,", "no-acked-write-lost", "promote-unsynced-pp"),
    Mutant("waiting for the PP before acknowledging", replication.acknowledge,
           "upto = MIN(held, rep.flushed)", "upto = length(rep.log)",
           "no-acked-write-lost", "ack-before-sync"),
    Mutant("truncation on rejoin", replication.rejoin_log,
           'log = rep.log if state.config.has("keep-divergent-suffix") else prefix(rep.log, common(rep.log, ap_log))',
           "log = rep.log", "one-history", "keep-divergent-suffix"),
    Mutant("pulling up to the token before a read", sessions.read,
           "        state = _pull(state, r, need)", "        pass", "read-your-writes", "read-ignores-token"),
    Mutant("shipping only committed entries", replication.replicate_to_secondary,
           'length(src.log) if cfg.has("ship-unacked") else src.commit', "length(src.log)",
           "no-read-of-lost-write", "ship-unacked"),
)


@contextlib.contextmanager
def applied(m: Mutant) -> Iterator[None]:
    """Run the model with the mutant's edit; restored afterwards."""
    fn = m.function
    src = textwrap.dedent(inspect.getsource(fn))
    if src.count(m.old) != 1:
        raise AssertionError(f"mutant {m.name!r}: {m.old!r} occurs {src.count(m.old)} times in {fn.__name__}")
    scope: dict = {}
    exec(compile(src.replace(m.old, m.new), inspect.getsourcefile(fn) or "<mutant>", "exec"),
         fn.__globals__, scope)
    original = fn.__code__
    fn.__code__ = scope[fn.__name__].__code__
    try:
        yield
    finally:
        fn.__code__ = original


# The object layer's guards (model/objects.py): the object proof over one
# history (dirproof/proofs/objects_proof.py) runs the mutated code too.
from dirproof.model.deletes import BulkDelete, Expire  # noqa: E402
from dirproof.model.objects import PermanentDelete, Purge, RecoverFromBackup, Restore  # noqa: E402

OBJECT_MUTANTS = (
    Mutant("tombstone check on recovery", RecoverFromBackup.check,
           'OR(ctx.config.has("recovery-resurrects"), NOT(is_(rec, GONE)))', "True",
           "no-resurrection", "recovery-resurrects"),
    Mutant("purge age", Purge.check, "require(age >= due,", "require(True,", "no-early-purge", "purge-early"),
    # issue 14
    Mutant("soft-deleted before a permanent delete", PermanentDelete.check,
           '_require_status(view, self.obj, SOFT_DELETED, "permanently delete")',
           '_require_status(view, self.obj, LIVE, "permanently delete")', "no-delete-without-retention",
           "delete-live"),
    Mutant("the kind of a typed delete", BulkDelete.check, "self.kind == kind_of(self.obj)", "True",
           "no-delete-without-retention", "delete-wrong-kind"),
    Mutant("memberships kept on restore", Restore.apply,
           'links = (False,) * config.objects if config.has("restore-drops-links") else rec.links',
           "links = (False,) * config.objects", "restore-restores-links", "restore-drops-links"),
    Mutant("an expiry only under a policy", Expire.check, 'lifetime > 0 or ctx.config.has("implicit-expiry")',
           "True", "no-delete-without-retention", "implicit-expiry"),
)
