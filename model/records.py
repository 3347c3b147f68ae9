"""A faster `attrs.evolve` for the model's hot paths.

`attrs.evolve` looks up the class's fields on every call, which made it the
model's single costliest function (see docs/model.md, Performance). This
one does exactly what `attrs.evolve` does: copy every init field not named
in `changes`, and call the class. Same result, same errors.

Per class, it is made once from the class's own field list (so a field
added to a class is copied without editing anything here): one call of
the class with every init field in order, each one taken from `changes` or
from `inst`. A change that names no init field goes the slow way, to the
class's own error.
"""

from __future__ import annotations

from typing import Any, Callable

import attrs

SYSTEM = -1  # the session id of writes the system makes itself (purge)

_COPIERS: dict[type, tuple[frozenset, Callable[..., Any]]] = {}


def _copier(cls: type) -> tuple[frozenset, Callable[..., Any]]:
    """(the aliases of cls's init fields, copy(inst, changes))."""
    fields = [a for a in attrs.fields(cls) if a.init]
    value = {a.alias: f"(c[{a.alias!r}] if {a.alias!r} in c else i.{a.name})" for a in fields}
    scope: dict[str, Any] = {"cls": cls, "new": object.__new__}
    if _plain(cls):
        # what the class's __init__ does, without the call: each slot set
        # through its descriptor (the __init__ of a frozen slotted class sets
        # them with object.__setattr__, which ends in the same descriptor)
        lines = ["x = new(cls)"]
        for k, a in enumerate(fields):
            scope[f"s{k}"] = cls.__dict__[a.name].__set__
            lines.append(f"s{k}(x, {value[a.alias]})")
        body = "\n    ".join(lines + ["return x"])
    else:
        args = [value[a.alias] for a in fields if not a.kw_only]
        args += [f"{a.alias}={value[a.alias]}" for a in fields if a.kw_only]
        body = f"return cls({', '.join(args)})"
    exec(compile(f"def copy(i, c):\n    {body}\n", f"<evolve {cls.__qualname__}>", "exec"), scope)
    got = _COPIERS[cls] = (frozenset(a.alias for a in fields), scope["copy"])
    return got


def _plain(cls: type) -> bool:
    """cls's __init__ only stores its arguments: slotted (every slot a field,
    nothing cached), every field an init field without validator or
    converter, no pre- or post-init hook."""
    fields = attrs.fields(cls)
    names = {a.name for a in fields}
    slots = {s for k in cls.__mro__ for s in k.__dict__.get("__slots__", ())}
    return ("__slots__" in cls.__dict__ and slots - {"__weakref__"} == names
            and not hasattr(cls, "__attrs_post_init__") and not hasattr(cls, "__attrs_pre_init__")
            and all(a.init and a.validator is None and a.converter is None
                    and type(cls.__dict__.get(a.name)).__name__ == "member_descriptor" for a in fields))


def maker(cls: type) -> Callable[..., Any]:
    """A constructor of `cls` from all its init fields in order, positionally:
    the class itself, or for a class whose __init__ only stores its
    arguments (`_plain`), the same stores without the __init__ call."""
    fields = [a for a in attrs.fields(cls) if a.init]
    if not _plain(cls) or any(a.kw_only for a in fields):
        return cls
    scope: dict[str, Any] = {"cls": cls, "new": object.__new__}
    lines = ["x = new(cls)"]
    for k, a in enumerate(fields):
        scope[f"s{k}"] = cls.__dict__[a.name].__set__
        lines.append(f"s{k}(x, v{k})")
    params = ", ".join(f"v{k}" for k in range(len(fields)))
    body = "\n    ".join(lines + ["return x"])
    exec(compile(f"def make({params}):\n    {body}\n", f"<make {cls.__qualname__}>", "exec"), scope)
    return scope["make"]


def evolve(inst, **changes):
    """A copy of the frozen attrs instance `inst` with `changes` applied."""
    cls = inst.__class__
    got = _COPIERS.get(cls) or _copier(cls)
    if changes.keys() <= got[0]:
        return got[1](inst, changes)
    for a in attrs.fields(cls):  # a change that names no init field: the class says what is wrong
        if a.init and a.alias not in changes:
            changes[a.alias] = getattr(inst, a.name)
    return cls(**changes)
