"""The architecture as the code shows it (issue 12): dependencies point one
way (model <- properties <- engines), no import cycles, model/ and
properties/ hold no checking code, modules and functions stay short.

Each rule is a function over data (tests/layout.py reads the import graph
with `ast`), and each is shown to catch a planted breach, so that a green
run means the rule was checked, not that it could not fail.
"""

from __future__ import annotations

import ast
import sys

import pytest

import layout

# What the pure layers may import from outside the package: the standard
# library, attrs, and cattrs (canonical JSON of states, model/serialize.py).
ALLOWED_OUTSIDE = {"attrs", "cattrs"}
MAX_MODULE_LINES = 420  # "about 400"
MAX_FUNCTION_LINES = 65  # "about 60"


def layer(module: str) -> str:
    for name in ("dirproof.model", "dirproof.properties"):
        if module == name or module.startswith(name + "."):
            return name
    return "dirproof"


def breaches(graph: dict[str, set[str]], outside: dict[str, set[str]]) -> list[str]:
    """Imports against the direction model <- properties <- engines, and
    checking code (anything outside the standard library but attrs/cattrs)
    in the two pure layers."""
    rank = {"dirproof.model": 0, "dirproof.properties": 1, "dirproof": 2}
    out = []
    for m, deps in graph.items():
        for d in deps:
            if rank[layer(d)] > rank[layer(m)]:
                out.append(f"{m} imports {d}, a higher layer")
        if layer(m) != "dirproof":
            for x in outside.get(m, set()):
                if x not in sys.stdlib_module_names and x not in ALLOWED_OUTSIDE:
                    out.append(f"{m} imports {x}: no checking code in {layer(m)}")
    return sorted(out)


def _outside() -> dict[str, set[str]]:
    known = layout.modules()
    return {m: {d for d in layout.imports(m, p, known) if d not in known} for m, p in known.items()}


def long_functions(source: str, limit: int) -> list[str]:
    tree = ast.parse(source)
    return [f"{n.name} ({(n.end_lineno or n.lineno) - n.lineno + 1} lines)" for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            and (n.end_lineno or n.lineno) - n.lineno + 1 > limit]


def test_dependencies_point_one_way_and_the_pure_layers_hold_no_checking_code():
    assert breaches(layout.graph(), _outside()) == []


def test_the_direction_rule_catches_a_planted_breach():
    g = {"dirproof.model.next": {"dirproof.properties.catalogue"}, "dirproof.properties.catalogue": set()}
    out = {"dirproof.model.next": {"z3", "itertools"}, "dirproof.properties.catalogue": {"hypothesis"}}
    assert breaches(g, out) == [
        "dirproof.model.next imports dirproof.properties.catalogue, a higher layer",
        "dirproof.model.next imports z3: no checking code in dirproof.model",
        "dirproof.properties.catalogue imports hypothesis: no checking code in dirproof.properties"]


def test_there_is_no_import_cycle():
    assert layout.cycles(layout.graph()) == []


def test_the_cycle_finder_finds_a_planted_cycle():
    g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert layout.cycles(g) == [["a", "b", "c"]]


def test_a_function_local_import_counts(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "a.py").write_text("def f():\n    from . import b\n")
    known = {"dirproof.pkg": tmp_path / "pkg" / "__init__.py", "dirproof.pkg.a": tmp_path / "pkg" / "a.py",
             "dirproof.pkg.b": tmp_path / "pkg" / "b.py"}
    assert layout.imports("dirproof.pkg.a", known["dirproof.pkg.a"], known) == {"dirproof.pkg.b"}


def test_modules_are_short():
    long = {m: n for m, p in layout.modules().items() if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert long == {}


@pytest.mark.parametrize("module", sorted(layout.modules()))
def test_functions_are_short(module):
    assert long_functions(layout.modules()[module].read_text(), MAX_FUNCTION_LINES) == []


def test_the_length_rule_catches_a_long_function():
    src = "def f():\n" + "    x = 1\n" * 70
    assert long_functions(src, MAX_FUNCTION_LINES) == ["f (71 lines)"]
