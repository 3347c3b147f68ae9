"""A faster `attrs.evolve` for the model's hot paths.

`attrs.evolve` looks up the class's fields on every call, which made it the
model's single costliest function (see docs/model.md, Performance). This
one caches the `(name, alias)` pairs of each class's init fields once and
otherwise does exactly what `attrs.evolve` does: copy every init field not
named in `changes`, and call the class. Same result, same errors.
"""

from __future__ import annotations

import attrs

SYSTEM = -1  # the session id of writes the system makes itself (purge)

_INIT_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {}


def evolve(inst, **changes):
    """A copy of the frozen attrs instance `inst` with `changes` applied."""
    cls = inst.__class__
    fields = _INIT_FIELDS.get(cls)
    if fields is None:
        fields = _INIT_FIELDS[cls] = tuple((a.name, a.alias) for a in attrs.fields(cls) if a.init)
    for name, alias in fields:
        if alias not in changes:
            changes[alias] = getattr(inst, name)
    return cls(**changes)
