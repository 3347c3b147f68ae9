"""The object layer's Z3 encoding over one history (to be derived; see docs/z3.md)."""

from __future__ import annotations


def run_objects(request, wanted) -> list:
    return []
