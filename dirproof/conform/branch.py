"""A branch of the conformance search: one model state that explains the
log so far, with the bookkeeping that ties the log's names to the model's."""

from __future__ import annotations

from dirproof.model import State


class Branch:
    """One model state that explains the log so far, with the write ids it
    gave entries (None: the write never reached a replica), which model
    logical session each logical session of the log is, and the trail of
    model steps that led here (for going back to replicate earlier)."""

    __slots__ = ("state", "ids", "rev", "logical", "key", "trail")

    def __init__(self, state: State, ids: dict, rev: dict, logical: dict, tag: int, trail=None):
        self.state, self.ids, self.rev, self.logical = state, ids, rev, logical
        self.key = (state, tag)
        self.trail = trail  # (previous trail, action, state before the action) or None

    def moved(self, state: State, action) -> "Branch":
        return Branch(state, self.ids, self.rev, self.logical, self.key[1], (self.trail, action, self.state))

    def steps(self) -> list:
        """The (action, state before it) pairs of the trail, latest first."""
        out, t = [], self.trail
        while t is not None:
            out.append((t[1], t[2]))
            t = t[0]
        return out


def branch_tag(old: int, *items) -> int:
    return hash((old,) + items)
