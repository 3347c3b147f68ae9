"""dirproof.bfs: an exhaustive breadth-first search over the model's states
(docs/bfs.md). `run` is the engine `dirproof check --engine bfs` runs."""

from .bounds import Bounds
from .search import Outcome, path_to, search

__all__ = ["Bounds", "Outcome", "path_to", "search", "run"]


def run(request):
    from .engine import run as _run
    return _run(request)
