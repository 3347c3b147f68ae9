"""What each property speaks of: the situation a proof must be able to reach.

A proof of a property whose subject is never reached proves nothing (the
property is vacuous). Each subject is written once, in the model's language,
over one step: the state and ghost before it, the action, and the state and
ghost after it. The Z3 engine searches for the shortest execution that
reaches it (its witness) and replays it on the model, where the same
definition must hold again.
"""

from __future__ import annotations

from typing import Any, Callable

from dirproof.model import Read, State, acting
from dirproof.model.algebra import AND, ANY, EQ, NOT
from dirproof.model.seq import holds

from .monitors import Ghost

Subject = Callable[[State, Ghost, Any, State, Ghost], Any]


def acked_survives_failover(before: State, g0: Ghost, action: Any, after: State, g1: Ghost) -> Any:
    orch = after.orchestrator
    return ANY(AND(present, e.epoch < orch.epoch,
                   ANY(AND(acting(after, a), holds(after.replicas[a].log, lsn, e)) for a in after.config.replicas))
               for present, lsn, e in g1.acked.items())


def two_committed_after_failover(before: State, g0: Ghost, action: Any, after: State, g1: Ghost) -> Any:
    reps = after.replicas
    return AND(after.orchestrator.epoch >= 2,
               ANY(AND(reps[a].commit >= 1, reps[b].commit >= 1) for a in range(len(reps))
                   for b in range(a + 1, len(reps))))


def _read_after_failover(before: State, action: Any) -> Any:
    return isinstance(action, Read) and before.orchestrator.epoch >= 2


def read_own_write(before: State, g0: Ghost, action: Any, after: State, g1: Ghost) -> Any:
    if not isinstance(action, Read):
        return False
    sess = before.sessions[action.session]
    mine = ANY(AND(present, EQ(e.session, action.session), EQ(e.logical, sess.logical))
               for present, _, e in g0.acked.items())
    return AND(_read_after_failover(before, action), mine)


def read_again(before: State, g0: Ghost, action: Any, after: State, g1: Ghost) -> Any:
    if not isinstance(action, Read):
        return False
    rd, sess = g0.reads[action.session], before.sessions[action.session]
    return AND(_read_after_failover(before, action), EQ(rd.logical, sess.logical), rd.longest >= 1)


def read_something(before: State, g0: Ghost, action: Any, after: State, g1: Ghost) -> Any:
    if not isinstance(action, Read):
        return False
    return AND(_read_after_failover(before, action), g1.reads[action.session].longest >= 1)


def ap_lost_pp_ready(before: State, g0: Ghost, action: Any, after: State, g1: Ghost) -> Any:
    orch = after.orchestrator
    from dirproof.model.algebra import choose
    from dirproof.model.election import ap_lost
    ap, pp = choose(orch.ap, after.config.replicas), choose(orch.pp, after.config.replicas)
    cand = after.replicas[pp]
    return AND(ap_lost(after, ap, pp), cand.up, EQ(cand.epoch, orch.epoch), orch.pp_in_sync)


def read_handed_write(before: State, g0: Ghost, action: Any, after: State, g1: Ghost) -> Any:
    """A session reads while a token handed to it in its logical session
    covers an acknowledged write of another session (issue 14)."""
    if not isinstance(action, Read):
        return False
    s = action.session
    h, sess = g0.handed[s], before.sessions[s]
    return AND(EQ(h.logical, sess.logical),
               ANY(AND(present, NOT(EQ(e.session, s)), lsn <= h.lsn) for present, lsn, e in g0.acked.items()))


def datacenter_lost_detected(before: State, g0: Ghost, action: Any, after: State, g1: Ghost) -> Any:
    """A session's datacenter is lost and detected while another up replica covers its token (issue 15)."""
    from .gateway import lost_and_covered
    return ANY(lost_and_covered(after, s) for s in range(after.config.sessions))


# property: (the subject in words, its definition, the step it is about: None for a state)
SUBJECTS: dict[str, tuple[str, Subject, Any]] = {
    "no-acked-write-lost": ("an entry acknowledged in an earlier epoch is in the log of the acting AP of a "
                            "later one", acked_survives_failover, None),
    "one-history": ("after a failover, two replicas hold committed entries", two_committed_after_failover, None),
    "read-your-writes": ("after a failover, a session reads while it has an acknowledged write", read_own_write,
                         Read),
    "monotonic-reads": ("after a failover, a session reads again in a logical session that has read something",
                        read_again, Read),
    "no-read-of-lost-write": ("after a failover, a read returns a non-empty prefix", read_something, Read),
    "bounded-write-unavailability": ("the AP is lost while the PP is up, current and in sync", ap_lost_pp_ready,
                                     None),
    "causal-read": ("a session reads while a token handed to it covers another session's acknowledged write",
                    read_handed_write, Read),
    "reads-survive-datacenter-loss": ("a session's datacenter is lost and detected while an up replica covers "
                                      "its token", datacenter_lost_detected, None),
}
