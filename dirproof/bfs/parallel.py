"""Expanding a level of the search, in this process or in worker processes.

Successor generation, canonical keys and property judgements (the costly
part: the model's steps run in Python) are independent per state, so a
level's frontier is cut into chunks that a `multiprocessing` pool expands;
the store of fingerprints stays in the parent, which drops the states
already seen. The pool is the standard library's (fork start method, so the
workers inherit the loaded model and compute the same fingerprints: Python
hashes strings with a per-process seed that a forked child shares). A
KeyboardInterrupt in the parent terminates the workers (`Pool.__exit__`)
and propagates.

With one worker the chunks are expanded here, one at a time, so the search
can stop at its deadline between chunks either way.
"""

from __future__ import annotations

import multiprocessing
from typing import Any, Iterator, Optional

CHUNK = 64  # states per chunk: small enough to meet a deadline, big enough to amortise pickling

_PROBLEM: Any = None


def _init(problem: Any) -> None:
    global _PROBLEM
    _PROBLEM = problem


def _work(args: tuple) -> list:
    from .search import expand
    nodes, skip = args
    return expand(_PROBLEM, nodes, skip)


class Expander:
    """Context manager: `expand(frontier, skip)` yields batches of
    (child node, parent fingerprint, violations)."""

    def __init__(self, problem: Any, workers: int = 1):
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
        """In this process `known` (the store) spares judging stored states
        again; the workers cannot see it and judge every successor."""
        chunks = [frontier[i:i + CHUNK] for i in range(0, len(frontier), CHUNK)]
        if self.pool is None or len(chunks) < 2:
            from .search import expand
            for chunk in chunks:
                yield expand(self.problem, chunk, skip, known)
            return
        yield from self.pool.imap(_work, [(c, skip) for c in chunks])
