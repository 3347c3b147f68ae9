"""Expanding a level of the search, in this process or in worker processes.

Successor generation, canonical keys and property judgements (the costly
part: the model's steps run in Python) are independent per state, so a
level's frontier is cut into chunks that a `multiprocessing` pool works on;
the store of fingerprints stays in the parent. Workers cannot see the
store, so each slice of the frontier goes through the pool twice: the
workers generate the successors and their fingerprints, the parent drops
those already stored (and repeats), and the workers judge the properties on
the new ones only. States travel pickled (about 0.1 ms a state, against
about 1 ms to generate and judge one).

The pool is the standard library's (fork start method, so the workers
inherit the loaded model and compute the same fingerprints: Python hashes
strings with a per-process seed that a forked child shares). A
KeyboardInterrupt in the parent terminates the workers (`Expander.__exit__`)
and propagates.

With one worker the chunks are expanded here, one at a time (a stored state
is neither judged nor kept), so the search can stop at its deadline between
chunks either way.
"""

from __future__ import annotations

import multiprocessing
import signal
from typing import Any, Iterator, Optional

CHUNK = 64  # states per chunk: small enough to meet a deadline, big enough to amortise pickling
SLICE = 16  # chunks per round trip through the pool

_PROBLEM: Any = None


def _init(problem: Any) -> None:
    """A worker's start. It leaves signals to the parent: a Ctrl-C (sent to
    the whole process group by a terminal) is ignored here, and the
    SIGTERM of `Pool.terminate` ends the worker at once. The handler and
    watchdog a forked worker inherits (dirproof/interrupt.py) would keep it
    running after the parent has exited, and print "interrupted" again."""
    global _PROBLEM
    _PROBLEM = problem
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _generate(nodes: list) -> list:
    """(child, parent fingerprint) for every successor within the bounds."""
    return [(child, node[4]) for node in nodes for _, child in _PROBLEM.successors(node)]


def _judge(args: tuple) -> list:
    pairs, skip = args
    return [(child, parent, _PROBLEM.judge(child[0], child[1], skip)) for child, parent in pairs]


class Expander:
    """Context manager: `expand(frontier, skip, known)` yields batches of
    (child node, parent fingerprint, violations)."""

    def __init__(self, problem: Any, workers: int = 1):
        self.expanded = 0
        self.problem = problem
        self.workers = max(1, workers)
        self.pool: Optional[Any] = None

    def __enter__(self) -> "Expander":
        if self.workers > 1:
            ctx = multiprocessing.get_context("fork")
            self.pool = ctx.Pool(self.workers, initializer=_init, initargs=(self.problem,))
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.pool is not None:
            self.pool.terminate()  # also on KeyboardInterrupt: no worker outlives the search
            self.pool.join()
            self.pool = None

    def expand(self, frontier: list, skip: frozenset, known: Any = None) -> Iterator[list]:
        """Batches of (node, parent fingerprint, violations); `expanded`
        counts the frontier's states whose successors were generated."""
        self.expanded = 0
        chunks = [frontier[i:i + CHUNK] for i in range(0, len(frontier), CHUNK)]
        if self.pool is None or len(chunks) < 2:
            for chunk in chunks:
                batch = expand(self.problem, chunk, skip, known)
                self.expanded += len(chunk)
                yield batch
            return
        for i in range(0, len(chunks), SLICE):
            new = self._new(self.pool.imap(_generate, chunks[i:i + SLICE]), known)
            self.expanded += sum(len(c) for c in chunks[i:i + SLICE])
            parts = [new[j:j + CHUNK] for j in range(0, len(new), CHUNK)]
            yield from self.pool.imap(_judge, [(p, skip) for p in parts])

    @staticmethod
    def _new(batches: Any, known: Any) -> list:
        """The generated children not yet stored, each once."""
        seen: set[int] = set()
        out = []
        for batch in batches:
            for child, parent in batch:
                if child[4] in seen or (known is not None and known.dominated(child[5], child[2], child[3])):
                    continue
                seen.add(child[4])
                out.append((child, parent))
        return out


def expand(problem: Any, nodes: list, skip: frozenset, known: Any = None) -> list[tuple[Any, int, list]]:
    """Successors of `nodes` not dominated in `known`, as (node, parent
    fingerprint, violations of the properties not in `skip`); the caller
    drops those already stored. Used in-process (with the store as `known`,
    so that no stored state is judged again) and by the workers."""
    out = []
    seen: set[int] = set()
    for node in nodes:
        for _, child in problem.successors(node):
            fp = child[4]
            if fp in seen or (known is not None and known.dominated(child[5], child[2], child[3])):
                continue
            seen.add(fp)
            out.append((child, node[4], problem.judge(child[0], child[1], skip)))
    return out
