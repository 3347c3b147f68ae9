"""Replaying a counterexample on the model: step by step, with what changed.

`replay(cx)` runs every saved step with `dirproof.model.step`, checks every
property after each one, and says in words what each step changed (a diff,
not the whole state) and where the recorded violation reproduced. A step
the model rejects is bad input (`ReplayError`, naming the step and the
reason): a saved trace must run as it was found.

`minimize(cx)` removes steps by delta debugging while the same property
still breaks; `pytest_source(cx)` prints a self-contained pytest function.
"""

from __future__ import annotations

import re
import textwrap
from typing import Callable, Optional, Sequence

import attrs

from dirproof.counterexample import Counterexample
from dirproof.model import (SYSTEM, Acked, Config, FailedOver, ReadServed, Rejected, State,
                            action_to_json, initial_state, make_config, step, step_name)
from dirproof.model.config import profile as _profile
from dirproof.properties import ASSUMPTIONS, PROPERTIES, Violation, broken_assumptions, check


class ReplayError(ValueError):
    """A saved step that the model rejects (bad input): says which and why."""

    def __init__(self, step: int, action, reason: str, config: Optional[Config] = None):
        self.step, self.action, self.reason = step, action, reason
        super().__init__(f"step {step} ({describe_action(action, config)}) is rejected by the model: {reason}")


# --------------------------------------------------------------------------- words

def _op_text(op) -> str:
    name = type(op).__name__
    obj = getattr(op, "obj", "?")
    if name == "Update":
        return f"Update obj {obj} attr {op.attr}={op.value}"
    if name == "RecoverFromBackup":
        return f"RecoverFromBackup obj {obj} from day {op.snapshot_day} attrs {tuple(op.attrs)}"
    return f"{name} obj {obj}"


def entry_text(e) -> str:
    return f"({e.epoch},{e.lsn}) {_op_text(e.op)}"


def _entries(entries, limit: int = 4) -> str:
    shown = [entry_text(e) for e in entries[:limit]]
    if len(entries) > limit:
        shown.append(f"... {len(entries) - limit} more")
    return "[" + ", ".join(shown) + "]"


def _session_text(s: int) -> str:
    return "the system" if s == SYSTEM else f"session {s}"


def describe_action(action, config: Optional[Config] = None) -> str:
    """One line for an action, with replica names when the config is known."""
    def rn(r):
        if config is not None and isinstance(r, int) and 0 <= r < len(config.datacenters):
            return config.name_of(r)
        return f"replica {r}"

    name = step_name(action)
    a = action
    if name == "client_write":
        return f"client_write: {_session_text(a.session)} writes {_op_text(a.op)} at {rn(a.at)}"
    if name == "replicate_to_passive":
        return f"replicate_to_passive: {rn(a.source)} ships its log to its PP"
    if name == "acknowledge":
        return f"acknowledge: {rn(a.replica)} acknowledges what its PP holds"
    if name == "replicate_to_secondary":
        return f"replicate_to_secondary: {rn(a.replica)} copies from the AP"
    if name == "rejoin":
        return f"rejoin: {rn(a.replica)} adopts the current epoch"
    if name == "read":
        return f"read: session {a.session} reads at its replica"
    if name == "move_session":
        return f"move_session: session {a.session} moves to {rn(a.replica)}"
    if name in ("crash", "recover", "lose_disk"):
        return f"{name}: {rn(a.replica)}"
    if name in ("partition", "heal"):
        return f"{name}: {rn(a.a)} | {rn(a.b)}"
    if name == "lose_region":
        reg = a.region
        if config is not None and isinstance(reg, int) and 0 <= reg < len(config.regions):
            reg = config.regions[reg]
        return f"lose_region: region {reg}"
    if name == "emergency_failover":
        return f"emergency_failover: promote {rn(a.new_ap)}, new PP {rn(a.new_pp)}"
    if name == "planned_failover":
        return "planned_failover: AP and PP swap"
    if name == "replace_passive":
        return f"replace_passive: new PP {rn(a.new_pp)}"
    if name == "tick":
        return f"tick: {a.days} day{'s pass' if a.days != 1 else ' passes'}"
    args = ", ".join(f"{k}={v!r}" for k, v in attrs.asdict(action, recurse=False).items())
    return f"{name}({args})"


def _token(t) -> str:
    return f"({t.epoch},{t.lsn})"


def _generic(prefix: str, old, new, skip: Sequence[str]) -> list[str]:
    """Changes of attrs fields not described otherwise (fields added later)."""
    out = []
    for f in attrs.fields(type(new)):
        if f.name in skip:
            continue
        a, b = getattr(old, f.name, None), getattr(new, f.name)
        if a != b:
            out.append(f"{prefix}{f.name} {_short(a)} -> {_short(b)}")
    return out


def _short(v, limit: int = 60) -> str:
    text = repr(v)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _log_change(name: str, old: tuple, new: tuple) -> Optional[str]:
    if old == new:
        return None
    p = 0
    while p < min(len(old), len(new)) and old[p] == new[p]:
        p += 1
    dropped, added = old[p:], new[p:]
    if not new and old:
        return f"{name}: log lost ({len(old)} entr{'y' if len(old) == 1 else 'ies'}: {_entries(old)})"
    parts = []
    if dropped:
        parts.append(f"-{_entries(dropped)}" + (f" (truncated to LSN {p})" if not added else ""))
    if added:
        parts.append(f"+{_entries(added)}")
    return f"{name}: log " + " ".join(parts)


def diff_states(before: State, after: State) -> list[str]:
    """What one step changed, one readable line per change."""
    cfg = after.config
    out: list[str] = []
    for r, (a, b) in enumerate(zip(before.replicas, after.replicas)):
        n = cfg.name_of(r)
        if a.up != b.up:
            out.append(f"{n}: {'up' if b.up else 'down'}")
        if a.epoch != b.epoch:
            out.append(f"{n}: epoch {a.epoch} -> {b.epoch}")
        line = _log_change(n, a.log, b.log)
        if line:
            out.append(line)
        if a.commit != b.commit:
            out.append(f"{n}: commit {a.commit} -> {b.commit}")
        out += _generic(f"{n}: ", a, b, ("up", "epoch", "log", "commit"))
    oa, ob = before.orchestrator, after.orchestrator
    if oa.roles != ob.roles:
        fo = [e for e in after.history[len(before.history):] if isinstance(e, FailedOver)]
        how = f"{fo[-1].kind} failover -> " if fo else ""
        out.append(f"orchestrator: {how}epoch {ob.epoch}, AP {cfg.name_of(ob.ap)}, PP {cfg.name_of(ob.pp)}")
    if getattr(oa, "pp_in_sync", None) != getattr(ob, "pp_in_sync", None):
        out.append(f"orchestrator: PP {cfg.name_of(ob.pp)} "
                   + ("in sync with the AP" if ob.pp_in_sync else "not yet in sync with the AP"))
    out += _generic("orchestrator: ", oa, ob, ("roles", "pp_in_sync"))
    for s, (a, b) in enumerate(zip(before.sessions, after.sessions)):
        if a.replica != b.replica or a.logical != b.logical:
            out.append(f"session {s}: moved to {cfg.name_of(b.replica)}, new logical session #{b.logical}"
                       f", token {_token(b.token)}")
        elif a.token != b.token:
            out.append(f"session {s} token {_token(a.token)} -> {_token(b.token)}")
        out += _generic(f"session {s}: ", a, b, ("replica", "logical", "token"))
    gone = [p for p in before.cut if p not in after.cut]
    new = [p for p in after.cut if p not in before.cut]
    for x, y in new:
        out.append(f"network: {cfg.name_of(x)} | {cfg.name_of(y)} cut")
    for x, y in gone:
        out.append(f"network: {cfg.name_of(x)} - {cfg.name_of(y)} healed")
    if before.day != after.day:
        out.append(f"day {before.day} -> {after.day}")
    old_days = {s.day for s in before.snapshots}
    taken = [s.day for s in after.snapshots if s.day not in old_days]
    if taken:
        out.append("snapshots + day " + ", ".join(map(str, taken))
                   + f" (kept: days {', '.join(str(s.day) for s in after.snapshots)})")
    out += _budget_changes(before.budget, after.budget, cfg)
    for ev in after.history[len(before.history):]:
        if not (isinstance(ev, FailedOver) and oa.roles != ob.roles):  # said on the orchestrator line
            out.append("history +" + event_text(ev, cfg))
    out += _generic("", before, after, ("config", "replicas", "orchestrator", "sessions", "links", "day",
                                        "snapshots", "budget", "history"))
    return out


def _budget_changes(a, b, cfg: Config) -> list[str]:
    """The fault budget's book-keeping, in words (design.md §2, Faults)."""
    if a == b:
        return []
    out = []
    ga, gb = getattr(a, "guard", None), getattr(b, "guard", None)
    if ga != gb:
        def names(g):
            return ", ".join(cfg.name_of(r) for r in g) or "none"
        out.append(f"fault budget: guarded copies {names(ga)} -> {names(gb)}")
    if a.exceeded != b.exceeded:
        out.append("fault budget: EXCEEDED (a second primary disk lost before the PP was replaced)"
                   if b.exceeded else "fault budget: no longer exceeded")
    if a.pending != b.pending:
        out.append("fault budget: a guarded disk is lost, not yet made good" if b.pending
                   else "fault budget: the lost disk is made good")
    out += _generic("fault budget: ", a, b, ("guard", "pending", "exceeded"))
    return out


def event_text(ev, cfg: Config) -> str:
    if isinstance(ev, Acked):
        regions = ",".join(cfg.regions[g] for g in ev.regions) or "none"
        who = _session_text(ev.entry.session)
        return (f"acked {entry_text(ev.entry)} by {cfg.name_of(ev.replica)} to {who} "
                f"[regions {regions}]")
    if isinstance(ev, ReadServed):
        return (f"read by session {ev.session} (logical #{ev.logical}) at {cfg.name_of(ev.replica)}: "
                f"saw up to LSN {len(ev.seen)} (token {_token(ev.token)})")
    if isinstance(ev, FailedOver):
        return f"{ev.kind} failover: epoch {ev.epoch}, AP {cfg.name_of(ev.ap)}, PP {cfg.name_of(ev.pp)}"
    return _short(ev, 120)


def roles_text(state: State) -> str:
    cfg, o = state.config, state.orchestrator
    return f"epoch {o.epoch}: AP {cfg.name_of(o.ap)}, PP {cfg.name_of(o.pp)}"


def topology_text(cfg: Config) -> str:
    groups = []
    for g, reg in enumerate(cfg.regions):
        names = [dc.name for dc in cfg.datacenters if dc.region == g]
        groups.append(f"{reg}: {' '.join(names) or '-'}")
    return "; ".join(groups)


# --------------------------------------------------------------------------- replay

@attrs.frozen
class StepResult:
    index: int  # 1-based
    action: object
    text: str
    changes: tuple[str, ...]
    broken: tuple[Violation, ...]  # every property broken in the state after this step
    new: tuple[Violation, ...]  # those that were not broken before it
    assumptions: tuple[str, ...]  # assumptions broken after this step


@attrs.frozen
class Outcome:
    status: str  # "violated", "assumption-broken" or "held"
    reproduced: bool  # the recorded property (or assumption) broke
    property: Optional[str]  # the property reported (the recorded one when it reproduced)
    step: Optional[int]  # where it first broke
    message: str
    notes: tuple[str, ...]

    @property
    def exit_code(self) -> int:
        return 0 if self.status == "held" else 1


@attrs.frozen
class Replay:
    cx: Counterexample
    states: tuple[State, ...]  # the initial state, then one per step
    steps: tuple[StepResult, ...]
    outcome: Outcome


def known_targets() -> dict[str, str]:
    """What a counterexample may say broke: a property or an assumption."""
    return {**{p: "property" for p in PROPERTIES}, **{a: "assumption" for a in ASSUMPTIONS}}


def check_target(prop: str) -> None:
    if prop not in known_targets():
        raise ValueError(f"unknown property {prop!r}; known: {', '.join(known_targets())}")


def replay(cx: Counterexample) -> Replay:
    """Run every step of `cx`; ReplayError if the model rejects one."""
    check_target(cx.property)
    state = initial_state(cx.config)
    states, results = [state], []
    before: set = set()
    for i, action in enumerate(cx.steps, 1):
        try:
            nxt = step(state, action)
            if isinstance(nxt, Rejected):
                raise ReplayError(i, action, nxt.reason, cx.config)
            broken = tuple(check(nxt))
        except ReplayError:
            raise
        except Exception as exc:  # a model bug on odd input: still one clear line, naming the step
            raise ReplayError(i, action, f"the model failed with {type(exc).__name__}: {exc}", cx.config) from exc
        new = tuple(v for v in broken if v.property not in before)
        before = {v.property for v in broken}
        results.append(StepResult(i, action, describe_action(action, cx.config),
                                  tuple(diff_states(state, nxt)), broken, new,
                                  tuple(broken_assumptions(nxt))))
        state = nxt
        states.append(state)
    return Replay(cx, tuple(states), tuple(results), _outcome(cx, results))


def _outcome(cx: Counterexample, results: list[StepResult]) -> Outcome:
    target = cx.property
    is_assumption = target in ASSUMPTIONS
    notes = []

    def first(pred):
        return next((r for r in results if pred(r)), None)

    hit = first(lambda r: target in r.assumptions) if is_assumption else \
        first(lambda r: any(v.property == target for v in r.broken))
    earliest = first(lambda r: r.broken)
    over = first(lambda r: r.assumptions)
    if hit is not None:
        if is_assumption:
            message = ASSUMPTIONS[target].statement
            status = "assumption-broken"
        else:
            message = next(v.message for v in hit.broken if v.property == target)
            status = "assumption-broken" if hit.assumptions else "violated"
        if cx.violated_at is not None and cx.violated_at != hit.index:
            notes.append(f"the file records the break at step {cx.violated_at}; "
                         f"it reproduces at step {hit.index}")
        if status != cx.status:
            notes.append(f"the file says status {cx.status!r}; the replay gives {status!r}")
        if status == "assumption-broken" and not is_assumption:
            notes.append(f"the property breaks only beyond its assumptions: {', '.join(hit.assumptions)} "
                         f"broken since step {over.index}; it is claimed only within them")
        if earliest is not None and earliest.index < hit.index:
            v = earliest.new[0]
            notes.append(f"{v.property} broke earlier, at step {earliest.index}: {v.message}")
        return Outcome(status, True, target, hit.index, message, tuple(notes))
    if earliest is not None:
        v = earliest.new[0]
        status = "assumption-broken" if earliest.assumptions else "violated"
        notes.append(f"the recorded {target} did not break; {v.property} broke instead")
        return Outcome(status, False, v.property, earliest.index, v.message, tuple(notes))
    notes.append(f"the recorded {'assumption' if is_assumption else 'violation of'} {target} "
                 f"did not reproduce: every step ran and no property broke")
    if over is not None:
        notes.append(f"assumption(s) {', '.join(over.assumptions)} broken at step {over.index}")
    return Outcome("held", False, None, None, "", tuple(notes))


# --------------------------------------------------------------------------- text and JSON

def report_lines(rp: Replay, path: str = "") -> list[str]:
    """The human report: header, each step with its diff, the verdict."""
    cx, cfg = rp.cx, rp.cx.config
    lines = [f"Counterexample {path}".rstrip(),
             f"  profile {cfg.profile} ({topology_text(cfg)}), "
             f"flaws: {', '.join(cfg.flaws) or 'none (the safe design)'}",
             f"  recorded: {cx.property} {'broken' if cx.status == 'violated' else cx.status}"
             + (f" at step {cx.violated_at} of {len(cx.steps)}" if cx.violated_at is not None
                else f" ({len(cx.steps)} steps)")
             + f" (engine {cx.engine or 'unknown'}"
             + (f", found {cx.found}" if cx.found else "") + ")",
             f"  start: {roles_text(rp.states[0])}; "
             + ", ".join(f"session {s} at {cfg.name_of(ss.replica)}"
                         for s, ss in enumerate(rp.states[0].sessions)),
             ""]
    width = len(str(len(rp.steps)))
    for r in rp.steps:
        mark = ">>" if r.index == rp.outcome.step else "  "
        lines.append(f"{mark}step {r.index:>{width}}  {r.text}")
        pad = " " * (width + 8)
        for c in r.changes or ("(no change)",):
            lines.append(f"{pad}{c}")
        for v in r.new:
            lines.append(f"{pad}BROKEN {v.property}: {v.message}")
        if r.assumptions and (r.index == 1 or not rp.steps[r.index - 2].assumptions):
            lines.append(f"{pad}ASSUMPTION BROKEN {', '.join(r.assumptions)}")
    lines.append("")
    lines += verdict_lines(rp)
    return lines


def verdict_lines(rp: Replay) -> list[str]:
    o = rp.outcome
    if o.reproduced:
        head = (f"REPRODUCED: {o.property} breaks at step {o.step}"
                + (" (beyond its assumptions)" if o.status == "assumption-broken" else "")
                + f": {o.message}")
    elif o.status != "held":
        head = f"NOT REPRODUCED: {rp.cx.property} did not break, but {o.property} breaks at step {o.step}: {o.message}"
    else:
        head = "HELD: every step ran and no property broke"
    return [head] + [f"  note: {n}" for n in o.notes]


def replay_to_json(rp: Replay, path: str = "") -> dict:
    from dirproof.model import config_to_json
    cx, o = rp.cx, rp.outcome
    return {
        "file": path,
        "config": config_to_json(cx.config),
        "recorded": {"property": cx.property, "status": cx.status, "violated_at": cx.violated_at,
                     "message": cx.message, "engine": cx.engine, "found": cx.found},
        "steps": [{"index": r.index, "action": action_to_json(r.action), "text": r.text,
                   "changes": list(r.changes),
                   "broken": [{"property": v.property, "message": v.message} for v in r.new],
                   "assumptions_broken": list(r.assumptions)} for r in rp.steps],
        "outcome": {"status": o.status, "reproduced": o.reproduced, "property": o.property,
                    "step": o.step, "message": o.message, "notes": list(o.notes)},
        "exit_code": o.exit_code,
    }


# --------------------------------------------------------------------------- minimize

def breaks_at(config: Config, steps: Sequence, prop: str, within_assumptions: bool) -> Optional[int]:
    """The step after which `prop` first breaks (None if it never does, or if a
    step is rejected). With `within_assumptions`, a break beyond the
    assumptions does not count."""
    is_assumption = prop in ASSUMPTIONS
    pcheck = None if is_assumption else PROPERTIES[prop].check
    state = initial_state(config)
    for i, action in enumerate(steps, 1):
        state = step(state, action)
        if isinstance(state, Rejected):
            return None
        if is_assumption:
            if prop in broken_assumptions(state):
                return i
        elif pcheck(state):
            if within_assumptions and broken_assumptions(state):
                return None
            return i
    return None


def ddmin(items: list, test: Callable[[list], bool]) -> list:
    """Zeller's delta debugging: a 1-minimal sublist of `items` (order kept)
    for which `test` holds; `test(items)` must hold."""
    n = 2
    while len(items) >= 2:
        size = len(items) // n
        chunks = [items[i * size:(i + 1) * size] if i < n - 1 else items[i * size:] for i in range(n)]
        reduced = False
        for c in chunks:  # try a subset alone
            if len(c) < len(items) and test(c):
                items, n, reduced = c, 2, True
                break
        if not reduced:
            for i in range(n):  # try a complement
                comp = [x for j, c in enumerate(chunks) if j != i for x in c]
                if test(comp):
                    items, n, reduced = comp, max(n - 1, 2), True
                    break
        if not reduced:
            if n >= len(items):
                break
            n = min(len(items), 2 * n)
    if len(items) == 1 and test([]):
        return []
    return items


@attrs.frozen
class Minimized:
    cx: Counterexample
    tests: int  # candidate traces tried


def minimize(cx: Counterexample) -> Minimized:
    """Remove steps while the same property still breaks (and, for a
    violation within the assumptions, still within them)."""
    check_target(cx.property)
    within = cx.status == "violated" and cx.property not in ASSUMPTIONS
    at = breaks_at(cx.config, cx.steps, cx.property, within)
    if at is None:
        raise ValueError(f"nothing to minimize: {cx.property} does not break"
                         + (" within the assumptions" if within else "") + " on this trace")
    tried = 0
    cache: dict = {}

    def test(idx: list) -> bool:
        nonlocal tried
        key = tuple(idx)
        if key not in cache:
            tried += 1
            cache[key] = breaks_at(cx.config, [cx.steps[i] for i in idx], cx.property, within) is not None
        return cache[key]

    keep = ddmin(list(range(at)), test)
    steps = tuple(cx.steps[i] for i in keep)
    new_at = breaks_at(cx.config, steps, cx.property, within)
    steps = steps[:new_at]
    message = cx.message
    if cx.property in PROPERTIES:
        state = initial_state(cx.config)
        for a in steps:
            state = step(state, a)
        message = PROPERTIES[cx.property].check(state) or message
    engine = cx.engine + "+ddmin" if cx.engine and not cx.engine.endswith("+ddmin") else (cx.engine or "ddmin")
    return Minimized(attrs.evolve(cx, steps=steps, violated_at=new_at, message=message, engine=engine), tried)


# --------------------------------------------------------------------------- pytest export

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
        body += [f"        # {i}. {describe_action(a, cx.config)}", f"        {a!r},"]
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


def safe_config(cfg: Config) -> Config:
    """The same configuration with every flaw removed (the safe design)."""
    extra = {f.name: getattr(cfg, f.name) for f in attrs.fields(Config) if f.name not in ("profile", "flaws")}
    return make_config(cfg.profile, flaws=(), **extra)
