"""Images of one replica: a VM snapshot or backup, and a restore from it
(issue 13 item 5).

An image records the replica's epoch and committed prefix at the time it
is taken (its commit point; the committed prefix of a replica never
changes in the safe design, so the image's log is the replica's log cut
there). Restoring one replaces the replica's disk. The safe design does not
trust the image's identity: a restored replica comes back as one that lost
its disk (down, no epoch, no log), counted against the fault budget as a
disk loss, and must rejoin and copy the AP's log at the current epoch
before it may serve or be promoted. Flaw `restore-keeps-identity`: it comes
back with the image's log, commit point and epoch, as the same replica, and
numbers new entries from the image's end, so one (epoch, LSN) may name two
different entries.
"""

from __future__ import annotations

from .algebra import AND, EQ, MIN, NOT, require
from .faults import _wipe, lost
from .records import evolve
from .seq import length, prefix
from .state import State, with_replica


def take_image(state: State, replica: int) -> State:
    """An up replica is imaged (a VM snapshot or a backup of its disk)."""
    rep = state.replicas[replica]
    name = state.config.name_of(replica)
    require(rep.up, lambda: f"{name} is down: no image is taken")
    image = (rep.epoch, rep.commit)
    imgs = state.images
    last = imgs[replica]
    require(NOT(AND(EQ(last[0], image[0]), EQ(last[1], image[1]))),
            lambda: f"{name}'s last image is already of this epoch and commit point")
    return evolve(state, images=imgs[:replica] + (image,) + imgs[replica + 1:])


def restore_image(state: State, replica: int) -> State:
    """The replica's disk is replaced by its last image, and it starts down.

    Safe: the image's identity is not trusted: this is a disk loss (the
    replica comes back empty, with no epoch, and rejoins). Flaw
    `restore-keeps-identity`: the replica keeps the image's epoch, log (its
    own log cut at the image's commit point) and commit point.
    """
    rep = state.replicas[replica]
    require(NOT(lost(rep)), lambda: f"{state.config.name_of(replica)} has lost its disk: nothing to restore over")
    state = _wipe(state, replica)
    if not state.config.has("restore-keeps-identity"):
        return state
    epoch, commit = state.images[replica]
    log = prefix(rep.log, commit)
    wiped = state.replicas[replica]
    return with_replica(state, replica, evolve(wiped, epoch=epoch, log=log, commit=MIN(commit, length(log))))
