"""A trace in words: one line per action, per change of state, per event.

The action's line is read from the step registry (model/next.py NEXT:
`StepSpec.text`, built from its `says`), so a step added there reads the
same in the replay, the picture and the pytest export without a second
list. The rest says what a step changed (a diff, never the whole state):
replicas, the orchestrator's roles, sessions, the network, time and
snapshots, the fault budget (design.md §2) and the history's new events.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import attrs

from dirproof.model import SPECS, SYSTEM, Acked, Config, FailedOver, HandedOff, ReadServed, State


def action_text(action: Any, config: Optional[Config] = None) -> str:
    """One line for an action (its step's `says`), replica names when the config is known."""
    spec = SPECS.get(type(action))
    if spec is None:  # not a step of the model: say what it is rather than fail
        return repr(action)
    return spec.text(action, config)


def _op_text(op) -> str:
    name = type(op).__name__
    obj = getattr(op, "obj", "?")
    if name == "Update":
        return f"Update obj {obj} attr {op.attr}={op.value}"
    if name == "RecoverFromBackup":
        return f"RecoverFromBackup obj {obj} from day {op.snapshot_day} attrs {tuple(op.attrs)}"
    if name == "BulkDelete":  # issue 14: the kind the typed delete names
        return f"BulkDelete obj {obj} as a {op.kind}"
    if name in ("AddMember", "RemoveMember"):
        return f"{name} obj {obj} group {op.group}"
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
    for s, (sa, sb) in enumerate(zip(before.sessions, after.sessions)):
        if sa.replica != sb.replica or sa.logical != sb.logical:
            kept = "same" if sa.logical == sb.logical else "new"
            out.append(f"session {s}: moved to {cfg.name_of(sb.replica)}, {kept} logical session #{sb.logical}"
                       f", token {_token(sb.token)}")
        elif sa.token != sb.token:
            out.append(f"session {s} token {_token(sa.token)} -> {_token(sb.token)}")
        out += _generic(f"session {s}: ", sa, sb, ("replica", "logical", "token"))
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
    out += _probe_changes(before, after)
    for ev in after.history[len(before.history):]:
        if not (isinstance(ev, FailedOver) and oa.roles != ob.roles):  # said on the orchestrator line
            out.append("history +" + event_text(ev, cfg))
    out += _generic("", before, after, ("config", "replicas", "orchestrator", "sessions", "links", "day",
                                        "snapshots", "budget", "history", "missed"))
    return out


def _probe_changes(before: State, after: State) -> list[str]:
    """The gateway's failed-probe counts (issue 15), in words."""
    cfg, out = after.config, []
    for r, (a, b) in enumerate(zip(before.missed, after.missed)):
        if a != b:
            mark = "unhealthy" if b >= cfg.probe_failures else ("still healthy" if b else "healthy")
            out.append(f"gateway: {cfg.name_of(r)} failed probes {a} -> {b} (marked {mark})")
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
    if isinstance(ev, HandedOff):
        return (f"session {ev.giver} handed its token {_token(ev.token)} to session {ev.receiver} "
                f"(logical #{ev.logical})")
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


