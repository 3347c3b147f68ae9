"""The replay for people (a report: each step with its diff, then the verdict)
and for machines (one JSON document)."""

from __future__ import annotations

from typing import Any, Optional

from dirproof.counterexample import step_json
from dirproof.model import Config, config_to_json

from .run import Replay
from .machines import machine_of
from .words import topology_text


def design_text(cfg: Config) -> str:
    """A design in one phrase: its profile, topology and flaws."""
    return (f"profile {cfg.profile} ({topology_text(cfg)}), "
            f"flaws: {', '.join(cfg.flaws) or 'none (the safe design)'}")


def _header(rp: Replay, path: str) -> list[str]:
    cx, cfg = rp.cx, rp.config
    recorded = (f"  recorded: {cx.property} {'broken' if cx.status == 'violated' else cx.status}"
                + (f" at step {cx.violated_at} of {len(cx.steps)}" if cx.violated_at is not None
                   else f" ({len(cx.steps)} steps)")
                + f" (engine {cx.engine or 'unknown'}" + (f", found {cx.found}" if cx.found else "") + ")")
    designs = ([f"  {design_text(cfg)}"] if rp.design is None else
               [f"  recorded on: {design_text(cx.config)}", f"  replayed on: {design_text(cfg)}"])
    start = f"  start: {machine_of(cx.property).start(rp.states[0])}"
    return [f"Counterexample {path}".rstrip(), *designs, recorded, start, ""]


def report_lines(rp: Replay, path: str = "") -> list[str]:
    """The human report: header, each step with its diff, the verdict."""
    lines = _header(rp, path)
    refused = rp.outcome.refused
    width = len(str(refused.index if refused is not None else len(rp.steps)))
    pad = " " * (width + 8)
    for r in rp.steps:
        mark = ">>" if r.index == rp.outcome.step else "  "
        lines.append(f"{mark}step {r.index:>{width}}  {r.text}")
        for c in r.changes or ("(no change)",):
            lines.append(f"{pad}{c}")
        for v in r.new:
            lines.append(f"{pad}BROKEN {v.property}: {v.message}")
        if r.assumptions and (r.index == 1 or not rp.steps[r.index - 2].assumptions):
            lines.append(f"{pad}ASSUMPTION BROKEN {', '.join(r.assumptions)}")
    if refused is not None:
        mark = ">>" if refused.index == rp.outcome.step else "  "
        lines.append(f"{mark}step {refused.index:>{width}}  {refused.text}")
        lines.append(f"{pad}REFUSED by the model: {refused.reason}")
    lines.append("")
    lines += verdict_lines(rp)
    return lines


def verdict_lines(rp: Replay) -> list[str]:
    """The verdict, then its notes."""
    o = rp.outcome
    if o.reproduced:
        head = (f"REPRODUCED: {o.property} breaks at step {o.step}"
                + (" (beyond its assumptions)" if o.status == "assumption-broken" else "")
                + f": {o.message}")
    elif o.status == "refuted" and o.refused is not None:
        head = f"REFUTED at step {o.step}: {o.message}"
    elif o.status == "refuted":
        head = f"REFUTED: every step ran and {rp.cx.property} holds after every step (no property broke)"
    elif o.status != "held":
        head = f"NOT REPRODUCED: {rp.cx.property} did not break, but {o.property} breaks at step {o.step}: {o.message}"
    else:
        head = "HELD: every step ran and no property broke"
    return [head] + [f"  note: {n}" for n in o.notes]


def _refused_json(rp: Replay) -> Optional[dict[str, Any]]:
    r = rp.outcome.refused
    if r is None:
        return None
    return {"step": r.index, "action": step_json(r.action), "text": r.text, "reason": r.reason}


def replay_to_json(rp: Replay, path: str = "") -> dict:
    """The replay as one JSON document (docs/counterexamples.md, --json)."""
    cx, o = rp.cx, rp.outcome
    return {
        "file": path,
        "config": config_to_json(cx.config),
        "design": None if rp.design is None else config_to_json(rp.design),
        "recorded": {"property": cx.property, "status": cx.status, "violated_at": cx.violated_at,
                     "message": cx.message, "engine": cx.engine, "found": cx.found},
        "steps": [{"index": r.index, "action": step_json(r.action), "text": r.text,
                   "changes": list(r.changes),
                   "broken": [{"property": v.property, "message": v.message} for v in r.new],
                   "assumptions_broken": list(r.assumptions)} for r in rp.steps],
        "outcome": {"status": o.status, "reproduced": o.reproduced, "property": o.property,
                    "step": o.step, "message": o.message, "notes": list(o.notes),
                    "refused": _refused_json(rp)},
        "exit_code": o.exit_code,
    }
