"""Configurations: profiles, flaws by id, and the refusal of impossible ones
with a message that says what is wrong (design.md §2 topology, §5 flaws)."""

import attrs
import pytest

from dirproof.model import (FLAWS, PROFILES, ConfigError, Datacenter, initial_state, make_config)
from dirproof.model.config import validate


def test_entra_is_the_default_two_regions_of_two_datacenters():
    cfg = make_config()
    assert cfg.profile == "entra" and cfg.regions == ("A", "B")
    assert [(dc.name, dc.region) for dc in cfg.datacenters] == [("A1", 0), ("A2", 0), ("B1", 1), ("B2", 1)]
    assert (cfg.retention_days, cfg.snapshot_every_days, cfg.snapshots_kept) == (30, 1, 5)
    assert cfg.flaws == ()


def test_wide_is_three_regions_of_three():
    cfg = make_config("wide")
    assert len(cfg.regions) == 3 and len(cfg.datacenters) == 9
    assert {dc.region for dc in cfg.datacenters} == {0, 1, 2}


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_profile_has_an_ap_and_a_pp_in_another_region(name):
    s = initial_state(make_config(name))
    cfg, orch = s.config, s.orchestrator
    assert orch.epoch == 1 and cfg.region_of(orch.ap) != cfg.region_of(orch.pp)
    assert all(rep.up and rep.log == () for rep in s.replicas)


def test_flaws_are_named_by_id_and_kept_sorted_once():
    cfg = make_config(flaws=["ship-unacked", "ack-before-sync", "ship-unacked"])
    assert cfg.flaws == ("ack-before-sync", "ship-unacked")
    assert cfg.has("ship-unacked") and not cfg.has("no-fencing")


def test_every_flaw_is_accepted_alone():
    for flaw in FLAWS:
        assert make_config(flaws=[flaw]).flaws == (flaw,)


def refusal(**kw) -> str:
    with pytest.raises(ConfigError) as info:
        make_config(**kw)
    return str(info.value)


def test_unknown_flaw_is_refused_and_the_known_ones_listed():
    msg = refusal(flaws=["ack-after-lunch"])
    assert "unknown flaw" in msg and "ack-after-lunch" in msg and "ship-unacked" in msg


def test_unknown_profile_is_refused():
    with pytest.raises(ConfigError, match="unknown profile 'huge'.*entra"):
        make_config("huge")


def test_unknown_field_is_refused():
    assert "unknown configuration field" in refusal(replicas_per_dc=3)


def test_no_second_region_is_refused():
    one_region = (Datacenter("A1", 0), Datacenter("A2", 0))
    msg = refusal(regions=("A",), datacenters=one_region)
    assert "no second region" in msg and "passive primary" in msg


def test_one_region_is_possible_only_with_pp_same_region():
    one_region = (Datacenter("A1", 0), Datacenter("A2", 0))
    cfg = make_config(regions=("A",), datacenters=one_region, flaws=["pp-same-region"])
    s = initial_state(cfg)
    assert (s.orchestrator.ap, s.orchestrator.pp) == (0, 1)


def test_zero_replicas_is_refused():
    assert "zero replicas" in refusal(datacenters=())


def test_one_replica_is_refused():
    assert "at least two replicas" in refusal(datacenters=(Datacenter("A1", 0),))


def test_a_datacenter_in_a_missing_region_is_refused():
    assert "region #5" in refusal(datacenters=(Datacenter("A1", 0), Datacenter("X1", 5)))


def test_duplicate_datacenter_names_are_refused():
    assert "distinct" in refusal(datacenters=(Datacenter("A1", 0), Datacenter("A1", 1)))


@pytest.mark.parametrize("field,value", [("sessions", -1), ("objects", -2), ("attributes", 0),
                                         ("values", 1), ("retention_days", 0),
                                         ("snapshot_every_days", 0), ("snapshots_kept", 0)])
def test_out_of_range_numbers_are_refused_by_name(field, value):
    msg = refusal(**{field: value})
    assert field in msg and str(value) in msg and "at least" in msg


def test_zero_sessions_and_objects_are_allowed():
    s = initial_state(make_config(sessions=0, objects=0))
    assert s.sessions == ()


def test_validate_refuses_unsorted_flaws_built_by_hand():
    cfg = attrs.evolve(make_config(), flaws=("ship-unacked", "ack-before-sync"))
    with pytest.raises(ConfigError, match="sorted"):
        validate(cfg)


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)
