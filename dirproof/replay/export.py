"""A counterexample as a self-contained pytest function (`--pytest`), written
with the model's own constructors, each step commented with its registry text."""

from __future__ import annotations

import re
import textwrap

import attrs

from dirproof.counterexample import Counterexample
from dirproof.model import Config
from dirproof.model.config import profile as _profile
from dirproof.properties import ASSUMPTIONS, layer_of

from .machines import any_action_text
from .run import check_target
from .words import action_text

def _config_call(cfg: Config) -> str:
    base = _profile(cfg.profile)
    extra = {f.name: getattr(cfg, f.name) for f in attrs.fields(Config)
             if f.name not in ("profile", "flaws") and getattr(cfg, f.name) != getattr(base, f.name)}
    args = [repr(cfg.profile), f"flaws={list(cfg.flaws)!r}"] + [f"{k}={v!r}" for k, v in extra.items()]
    return f"make_config({', '.join(args)})"


def _classes(values) -> set[str]:
    names: set[str] = set()

    def walk(v):
        if attrs.has(type(v)):
            names.add(type(v).__name__)
            for f in attrs.fields(type(v)):
                walk(getattr(v, f.name))
        elif isinstance(v, (tuple, list)):
            for x in v:
                walk(x)
    for v in values:
        walk(v)
    return names


def _ident(text: str) -> str:
    return re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower() or "trace"


def pytest_source(cx: Counterexample, path: str = "") -> str:
    """A self-contained pytest function replaying `cx` through the model's API."""
    check_target(cx.property)
    if layer_of(cx.property) != "partition":
        return _side_source(cx, path)
    at = cx.violated_at if cx.violated_at else len(cx.steps)
    steps = cx.steps[:at]
    cfg_call = _config_call(cx.config)
    needed = sorted(_classes(steps) | (_classes([cx.config]) if "Datacenter(" in cfg_call else set()))
    needed = [n for n in needed if n != "Config"]
    flaws = "+".join(cx.config.flaws) or "safe"
    name = f"test_counterexample_{_ident(flaws)}_{_ident(cx.property)}"
    names = ", ".join(["Rejected", "initial_state", "make_config", "step"] + needed)
    imports = "\n".join(textwrap.wrap(names + ")", 96, initial_indent="    from dirproof.model import (",
                                       subsequent_indent=" " * 32))
    body = [f"def {name}():",
            f'    """Replays {path or cx.name}:',
            f'    {cx.property} breaks at step {at} (engine {cx.engine or "unknown"})."""',
            imports,
            "    from dirproof.properties import PROPERTIES, broken_assumptions",
            "",
            f"    state = initial_state({cfg_call})",
            "    steps = ["]
    for i, a in enumerate(steps, 1):
        body += [f"        # {i}. {action_text(a, cx.config)}", f"        {a!r},"]
    body += ["    ]",
             "    for i, action in enumerate(steps, 1):",
             "        state = step(state, action)",
             "        assert not isinstance(state, Rejected), f\"step {i} rejected: {state.reason}\""]
    if cx.property in ASSUMPTIONS:
        body.append(f"    assert {cx.property!r} in broken_assumptions(state)")
    else:
        if cx.message:
            body.append(f"    # expected: {cx.message}")
        body.append(f"    message = PROPERTIES[{cx.property!r}].check(state)")
        body.append(f"    assert message, \"{cx.property} should break after step {at}\"")
        if cx.status == "assumption-broken":
            body.append("    assert broken_assumptions(state), \"recorded beyond the assumptions\"")
        else:
            body.append("    assert not broken_assumptions(state)")
    return "\n".join(body) + "\n"


# Per machine beside the partition: (its model package, state class, step, initial state, properties).
_SIDE = {"identity": ("dirproof.model.identity", "IdState", "id_step", "initial_id_state", "IDENTITY_PROPERTIES"),
         "cells": ("dirproof.model.cells", "CellState", "cell_step", "initial_cell_state", "CELL_PROPERTIES")}


def _side_source(cx: Counterexample, path: str) -> str:
    """The same test for a counterexample of the identity or cells layer."""
    package, state_cls, step_fn, initial, props = _SIDE[layer_of(cx.property)]
    at = cx.violated_at if cx.violated_at else len(cx.steps)
    steps = cx.steps[:at]
    needed = ", ".join([state_cls, step_fn, initial] + sorted({type(a).__name__ for a in steps}))
    lead = f"    from {package} import ("
    imports = "\n".join(textwrap.wrap(needed + ")", 96, initial_indent=lead, subsequent_indent=" " * len(lead)))
    name = f"test_counterexample_{_ident('+'.join(cx.config.flaws) or 'safe')}_{_ident(cx.property)}"
    body = [f"def {name}():",
            f'    """Replays {path or cx.name}:',
            f'    {cx.property} breaks at step {at} (engine {cx.engine or "unknown"})."""',
            "    from dirproof.model import make_config",
            imports,
            f"    from dirproof.properties import {props}",
            "",
            f"    state = {initial}({_config_call(cx.config)})",
            "    steps = ["]
    for i, a in enumerate(steps, 1):
        body += [f"        # {i}. {any_action_text(a, cx.config)}", f"        {a!r},"]
    body += ["    ]",
             "    for i, action in enumerate(steps, 1):",
             f"        state = {step_fn}(state, action)",
             f"        assert isinstance(state, {state_cls}), f\"step {{i}} rejected: {{state.reason}}\"",
             f"    # expected: {cx.message}",
             f"    assert {props}[{cx.property!r}].check(state), \"{cx.property} should break\""]
    return "\n".join(body) + "\n"
