"""Every identity step changes only the IdState fields its ID_NEXT row
declares (`modifies`): the frame the Z3 relation would derive, checked on
the Python steps over random walks under the safe design and each flaw; and
a row that declares too little is caught."""

import random

import attrs
import pytest

from dirproof.model import FLAWS, make_config
from dirproof.model.identity import ID_NEXT, ID_SPECS, id_enabled, initial_id_state
from dirproof.model.identity.state import FIELDS


def breaches(flaws, specs=ID_SPECS, walks=20):
    """(step, field) pairs where a step changed a field its row does not declare."""
    cfg, out = make_config(flaws=flaws), set()
    for seed in range(walks):
        rnd, state = random.Random(seed), initial_id_state(cfg)
        for _ in range(15):
            moves = id_enabled(state)
            for action, nxt in moves:
                spec = specs[type(action)]
                out |= {(spec.name, f) for f in FIELDS if getattr(state, f) != getattr(nxt, f)
                        and f not in spec.modifies}
            state = rnd.choice(moves)[1]
    return out


@pytest.mark.parametrize("flaws", [()] + [(f,) for f, fl in FLAWS.items() if fl.area == "identity"],
                         ids=lambda f: f[0] if f else "safe")
def test_every_identity_step_changes_only_what_it_declares(flaws):
    assert breaches(flaws, walks=6) == set()


def test_a_row_that_declares_too_little_is_caught():
    wrong = {**ID_SPECS, ID_NEXT[0].action: attrs.evolve(ID_NEXT[0], modifies=())}
    assert ("issue_token", "tokens") in breaches((), wrong, walks=3)
