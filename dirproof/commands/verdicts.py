"""The verdicts of `dirproof check` as text that reads at 80 columns: one
block per property (its verdict on the first line, what it covers, the full
path of its counterexample on a line of its own, never cut), the
exploration's coverage, and one closing summary line."""

from __future__ import annotations

import shutil
import textwrap
from typing import Iterable, Optional

from dirproof.results import PropertyResult


def width() -> int:
    return max(60, min(shutil.get_terminal_size((80, 24)).columns, 100))


def wrap(text: str, indent: str = "    ") -> list[str]:
    return textwrap.wrap(text, width(), initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False) or [indent.rstrip()]


def _steps(n: object) -> str:
    return "1 step" if n == 1 else f"{n} steps"


def headline(r: PropertyResult) -> str:
    if r.status == "violated":
        return f"VIOLATED in {_steps(r.steps)}" + (f" ({r.length})" if r.length else "")
    if r.status == "assumption-broken":
        return f"assumption-broken (beyond the fault budget, {_steps(r.steps)})"
    if r.status == "proved":
        return f"proved for {r.scope}" if r.scope else "proved"
    if r.status == "vacuous":
        return "VACUOUS: inductive, but its subject is never reached"
    if r.engine == "hypothesis":
        return f"held in {r.examples} explored examples ({r.steps or 0} steps), no proof"
    return "held (bounded search, no proof)"


def block(pid: str, r: Optional[PropertyResult], why_not: str) -> list[str]:
    """The lines of one property's verdict."""
    if r is None:
        return [pid, *wrap(f"not checked: {why_not}")]
    lines = [pid, *wrap(f"{headline(r)} [{r.engine}, {r.seconds:.1f} s]")]
    if r.counterexample:
        lines.append(f"    counterexample: {r.counterexample}")
    detail = r.detail
    if r.status == "proved" and r.scope:
        detail = detail.replace(f"proved for {r.scope}; ", "")
    if detail and not (r.status == "held" and r.engine == "hypothesis"):  # its coverage is printed once, below
        lines += wrap(detail, "      ")
    return lines


def verdict_lines(title: str, best: dict, order: Iterable[str], why_not: dict) -> list[str]:
    lines = [title, ""]
    for pid in order:
        lines += block(pid, best.get(pid), why_not.get(pid, "no engine judged it"))
    return lines


def coverage_lines(cov: dict) -> list[str]:
    """Situations with their counts; a reachability situation never reached is marked."""
    lines = ["", f"coverage (hypothesis): {cov['examples']} examples, {cov['steps']} steps"]
    for s in cov["situations"]:
        kind = "reachability" if s["reachability"] else "case"
        count = str(s["count"]) if s["count"] else ("0, not reached" if s["reachability"] else "0")
        prop = f", {s['property']}" if s.get("property") else ""
        lines += wrap(f"{s['situation']}: {count} ({kind}{prop})", "  ")
    parts = [f"{k} {n}" for k, n in cov["step_counts"].items()]
    lines += wrap("steps fired: " + ", ".join(parts), "  ")
    return lines


def summary(best: dict, order: Iterable[str], out_dir: Optional[str]) -> str:
    """`9 proved, 0 violated; counterexamples in DIR`: every count, in one line."""
    counts: dict[str, int] = {}
    for pid in order:
        r = best.get(pid)
        key = r.status if r is not None else "not checked"
        counts[key] = counts.get(key, 0) + 1
    keys = ["proved", "held", "vacuous", "violated", "assumption-broken", "not checked"]
    text = ", ".join(f"{counts.get(k, 0)} {k}" for k in keys
                     if counts.get(k) or k in ("proved", "violated"))
    saved = any(r.counterexample for r in best.values())
    return text + (f"; counterexamples in {out_dir}" if saved and out_dir else "")
