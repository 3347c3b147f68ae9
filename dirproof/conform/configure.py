"""The model configuration a conformance log's header describes
(docs/conformance.md): its replicas in header order (the first is the AP of
epoch 1, the first one in another region its PP), regions, sessions and the
design's flaws."""

from __future__ import annotations

from dirproof.model import Datacenter, initial_state, make_config

from .events import Log


class BehaviourInputError(ValueError):
    """The header cannot describe a model configuration (bad input)."""


def session_names(log: Log) -> list[str]:
    """Client sessions in order of first appearance."""
    names: list[str] = []
    for ln in log.lines:
        if ln.event in ("invoke-write", "invoke-read"):
            s = str(ln.get("session"))
            if s != "system" and s not in names:
                names.append(s)
    return names


def config_for(log: Log):
    """The model configuration of a log: its replicas (in header order, the
    first is the AP of epoch 1), regions, sessions and the design's flaws."""
    reps = log.header["replicas"]
    regions = list(dict.fromkeys(r["region"] for r in reps))
    dcs = tuple(Datacenter(r["name"], regions.index(r["region"])) for r in reps)
    model = log.header.get("model", {})
    scope = {k: model[k] for k in ("objects", "attributes", "values") if k in model}
    sessions = max(model.get("sessions", 0), len(session_names(log)), 1)
    try:
        cfg = make_config("entra", flaws=model.get("flaws", ()), regions=tuple(regions), datacenters=dcs,
                          sessions=sessions, **scope)
    except ValueError as exc:
        raise BehaviourInputError(f"header: {exc}") from None
    roles = log.header.get("roles")
    if roles:
        ap, pp = initial_state(cfg).orchestrator.roles[0]
        if (cfg.name_of(ap), cfg.name_of(pp)) != (roles["ap"], roles["pp"]):
            raise BehaviourInputError(
                f"header: roles ap={roles['ap']}, pp={roles['pp']} differ from the model's first epoch "
                f"(ap={cfg.name_of(ap)}, pp={cfg.name_of(pp)}: the first replica, and the first one in "
                "another region); list the replicas in that order")
    return cfg
