"""The public incident catalogue (docs/incidents.md) stays true: every
expressible incident's scenario breaks its property on the flawed design
and nothing on the safe design, and the document's table is the registry's
(tests/incident_catalogue.py)."""

from pathlib import Path

import pytest

from dirproof.model import FLAWS
from incident_catalogue import FOUND, INCIDENTS, expressible, table
from test_flaw_scenarios import ALL, run

DOC = Path(__file__).resolve().parent.parent / "docs" / "incidents.md"


def test_the_document_shows_the_registry():
    assert table() in DOC.read_text(), "docs/incidents.md: paste incident_catalogue.table() into it"


def test_every_row_is_a_variant_and_a_scenario_or_says_what_is_missing():
    assert len({i.id for i in INCIDENTS}) == len(INCIDENTS)
    for i in INCIDENTS:
        assert all(f in FLAWS for f in i.flaws), i.id
        assert (i.scenario in ALL and ALL[i.scenario][0] in i.flaws) if i.flaws else (i.scenario is None and i.missing)
    assert set(FOUND) <= {f for i in expressible() for f in i.flaws}


@pytest.mark.parametrize("incident", [i.id for i in expressible()])
def test_reproduced_on_the_flawed_design_and_refused_by_the_safe_one(incident):
    i = next(x for x in INCIDENTS if x.id == incident)
    flaw, prop, steps, over = ALL[i.scenario]
    _, broken, rejected = run([flaw], steps, over)
    assert rejected is None and prop in {v.property for v in broken}
    assert run([], steps, over)[1] == []
