"""The package's import graph, read from the source with `ast` (tests/test_layout.py).

Module names are the installed ones: model/x.py is dirproof.model.x,
properties/x.py is dirproof.properties.x. Every import counts, at module
level or inside a function: a cycle dodged by a function-local import is
still a cycle of the design. Imports under `if TYPE_CHECKING:` are left
out (they are never executed).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROOTS = {"dirproof": ROOT / "dirproof", "dirproof.model": ROOT / "model",
         "dirproof.properties": ROOT / "properties"}


def modules() -> dict[str, Path]:
    """Every module of the package by its installed name."""
    out: dict[str, Path] = {}
    for pkg, folder in ROOTS.items():
        for p in sorted(folder.rglob("*.py")):
            rel = p.relative_to(folder).with_suffix("").parts
            if pkg == "dirproof" and rel[0] in ("model", "properties"):
                continue
            parts = rel[:-1] if rel[-1] == "__init__" else rel
            out[".".join((pkg, *parts))] = p
    return out


def _is_package(name: str, path: Path) -> bool:
    return path.name == "__init__.py"


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in node.body:
                lines.update(range(sub.lineno, (sub.end_lineno or sub.lineno) + 1))
    return lines


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package modules `name` imports (external modules as their top name)."""
    tree = ast.parse(path.read_text())
    skip = _type_checking_lines(tree)
    here = name if _is_package(name, path) else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = here.split(".")[: len(here.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            for a in node.names:
                sub = f"{base}.{a.name}"
                out.add(sub if sub in known else base)
    return {m if m in known else m.split(".")[0] for m in out}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {m: {d for d in imports(m, p, known) if d in known and d != m} for m, p in known.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out
