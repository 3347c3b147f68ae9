"""The ladder of scopes (dirproof/bfs/ladder.py): smaller scopes first for a
seeded flaw, every counterexample replayed on the configuration asked for,
lengths equal to Z3's shortest."""

import pytest

from dirproof.bfs import ladder
from dirproof.bfs.engine import default_bounds, run
from dirproof.counterexample import load
from dirproof.engines import EngineRequest
from dirproof.model import BY_NAME, FLAWS, initial_state, make_config, step
from dirproof.model.actions import step_name
from dirproof.model.next import tombstone_days
from dirproof.properties import PROPERTIES
from dirproof.properties.monitors import watch
from mutants import MUTANTS, applied
from scenarios import SCENARIOS, Z3_SHORTEST

# the small scopes' lengths (Z3 has none on the model's steps for object flaws;
# purge-early's scenario takes 8, the others' as many as found)
OBJECT_LENGTH = {"purge-early": 6, "restore-drops-links": 7, "recovery-resurrects": 9,
                 "rejoin-after-tombstone-lifetime": 11}


def test_every_flaw_s_scenario_takes_only_steps_of_its_first_scopes():
    # the first rungs leave the optional mechanisms out; a flaw that needs one
    # must keep its steps there (MECHANISM), or the ladder only wastes its time
    for flaw, (_, actions, _) in SCENARIOS.items():
        cfg = make_config("entra", flaws=[flaw]) if flaw in FLAWS else None
        if cfg is None or not ladder.applies(cfg):
            continue
        _, kinds, _ = ladder.small(cfg)
        if FLAWS[flaw].area in ladder.OBJECT_CORE:  # the object layer's core rungs (some scenarios tick a
            kinds = next(ladder.rungs(cfg, default_bounds(cfg))).kinds  # single day: the last small rung does)
        assert {type(a) for a in actions} <= set(kinds), (flaw, {step_name(a) for a in actions if type(a) not in kinds})
    assert all(name in BY_NAME for names in ladder.OPTIONAL.values() for name in names)
    assert all(m in ladder.OPTIONAL for ms in ladder.MECHANISM.values() for m in ms)


def test_the_rungs_grow_to_the_scope_asked_for():
    cfg = make_config("entra", flaws=["no-fencing"])
    rungs = list(ladder.rungs(cfg, default_bounds(cfg)))
    assert [(r.bounds.writes, r.bounds.faults) for r in rungs] == [(1, 1), (2, 1), (1, 2), (3, 2)]
    assert rungs[-1].config is cfg and rungs[-1].scope == ""
    small = rungs[0].config
    assert (small.sessions, small.objects, small.memberships) == (1, 1, 0)
    assert "without replica images" in rungs[0].scope
    # a flaw whose mechanism is a fault: two faults before two writes
    faulty = make_config("entra", flaws=["promote-unsynced-pp"])
    assert [(r.bounds.writes, r.bounds.faults, r.max_states) for r in ladder.rungs(faulty, default_bounds(faulty))] \
        == [(1, 1, 2_500), (1, 2, 30_000), (2, 1, 10_000), (3, 2, None)]
    # no seeded flaw (the safe design, a variant, a changed model): the small rungs with the core, and
    # the mechanisms of the protocol settings changed (as the flaw standing for the same choice)
    safe = list(ladder.rungs(make_config("entra"), default_bounds(cfg)))
    assert [(r.bounds.writes, r.bounds.faults) for r in safe] == [(1, 1), (2, 1), (1, 2), (3, 2)]
    assert not ladder.kept_mechanisms(make_config("entra"))
    assert ladder.kept_mechanisms(make_config("entra", ack_waits_for="memory")) == \
        ladder.kept_mechanisms(make_config("entra", flaws=["ack-unflushed-pp"])) == {"flushing", "disk and region loss"}
    # an object-layer flaw: four smaller scopes with the days asked for and no fault: the object
    # core's steps (no failover) with one value and 3 writes, then two values, then one, each with
    # the writes asked for and ticks that jump to a time boundary; then the small instance's steps
    obj = make_config("entra", flaws=["purge-early"])
    *small, last = ladder.rungs(obj, default_bounds(obj))
    assert [(r.bounds.writes, r.bounds.faults, r.bounds.days) for r in small] == \
        [(3, 0, obj.retention_days + 1)] + [(5, 0, obj.retention_days + 1)] * 3
    assert [(r.config.values, r.config.objects, r.bounds.epochs, r.max_states) for r in small] == \
        [(1, 1, 1, 10_000), (2, 1, 1, 2_500), (1, 1, 1, 30_000), (2, 1, 3, 30_000)]
    assert [r.ticks for r in small] == [ladder.boundaries] * 3 + [None] and last.ticks is None
    life = make_config("entra", flaws=["rejoin-after-tombstone-lifetime"])  # a flaw of the lifetime: its ends only
    assert next(ladder.rungs(life, default_bounds(life))).ticks is tombstone_days
    from dirproof.model import NEXT
    from dirproof.model.next import FLAW_ONLY
    assert {s.name for s in NEXT if s.action in small[0].kinds} == set(ladder.OBJECT_CORE["objects"]) | FLAW_ONLY
    assert small[3].kinds == ladder.small(obj)[1] and last.config is obj
    life = make_config("entra", flaws=["rejoin-after-tombstone-lifetime"])
    assert default_bounds(life).days == life.tombstone_lifetime_days + 1  # its scenario's 180 days fit
    links = make_config("entra", flaws=["restore-drops-links"])
    assert (lambda c: (c.objects, c.memberships))(ladder.small(links)[0]) == (2, 1)  # a user, a group, their link


@pytest.mark.parametrize("flaw,prop", [("no-fencing", "no-acked-write-lost"),
                                       ("keep-divergent-suffix", "one-history"),  # 9 steps: the second rung
                                       ("token-reset-on-failover", "read-your-writes"),
                                       ("ack-unflushed-pp", "no-acked-write-lost"),  # the third rung
                                       ("purge-early", "soft-delete-restorable"),  # the object rungs
                                       ("restore-drops-links", "restore-restores-links"),
                                       ("recovery-resurrects", "no-resurrection"),
                                       ("rejoin-after-tombstone-lifetime", "no-resurrection")])
def test_a_smaller_scope_gives_z3s_shortest_length_on_the_configuration_asked_for(tmp_path, flaw, prop):
    cfg = make_config("entra", flaws=[flaw])
    req = EngineRequest(cfg, tuple(PROPERTIES), out_dir=tmp_path, seconds=120)
    r = {r.property: r for r in run(req)}[prop]
    assert r.status == "violated" and r.steps == Z3_SHORTEST.get(flaw, OBJECT_LENGTH.get(flaw)), (flaw, r.steps)
    assert "1 session, " in r.length  # it came from a smaller scope, and says so
    cx = load(r.counterexample)
    assert cx.config == cfg  # saved for the configuration asked for, and it replays there
    state = initial_state(cfg)
    for a in cx.steps:
        state = step(state, a)
    assert PROPERTIES[prop].judge(state, watch(state)) is not None


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name.replace(" ", "-"))
def test_a_changed_model_with_no_seeded_flaw_is_searched_small_first(tmp_path, mutant):
    """A guard removed from the model's code (tests/mutants.py), no flaw
    seeded: the smaller scopes come first, and the first violation of any
    property is the one the guard protects, at the length of the flaw that
    stands for it (Z3's). Before, the whole scope came first: without
    epoch fencing nothing broke in 60 s (the search reached 6 steps)."""
    req = EngineRequest(make_config("entra"), tuple(PROPERTIES), out_dir=tmp_path, seconds=60)
    with applied(mutant):
        res = run(req)
    broke = {r.property: r for r in res if r.status == "violated"}
    assert list(broke) == [mutant.protects], list(broke)
    assert broke[mutant.protects].steps == Z3_SHORTEST[mutant.scenario]
    assert "1 session, " in broke[mutant.protects].length  # from a smaller scope, and it says so


def test_a_variant_of_a_protocol_setting_is_searched_with_its_mechanisms(tmp_path):
    """`ack_waits_for = "memory"` (a TOML variant, no flaw): its mechanisms
    are kept in the smaller scopes, as for ack-unflushed-pp, the flaw of the
    same choice; the whole scope alone took 47 s to its 5 steps."""
    req = EngineRequest(make_config("entra", ack_waits_for="memory"), ("no-acked-write-lost",), out_dir=tmp_path,
                        seconds=60)
    (r,) = run(req)
    assert r.status == "violated" and r.steps == Z3_SHORTEST["ack-unflushed-pp"] and "1 session, " in r.length


def test_a_rung_takes_only_the_ticks_it_names():
    """The object rungs' ticks: to a time boundary (no single-day tick), or
    for a flaw of the lifetime to a lifetime's end only; the others are left
    out before they are stepped (search.TicksOff through model.next.enabled)."""
    from dirproof.bfs.search import TicksOff
    from dirproof.model import Tick, enabled
    from scenarios import SYNC, w
    from dirproof.model.objects import Create, PermanentDelete, SoftDelete
    cfg = make_config("entra")
    s = initial_state(cfg)
    for a in [w(Create(0)), *SYNC, w(SoftDelete(0)), *SYNC]:
        s = step(s, a)
    ticks = lambda skip: sorted(a.days for a, _ in enabled(s, (Tick,), skip))  # noqa: E731
    life = cfg.tombstone_lifetime_days  # (the end of each replica's last contact)
    assert ticks(()) == [1, cfg.retention_days - 1, cfg.retention_days, life]
    assert ticks(TicksOff(ladder.boundaries(s))) == [cfg.retention_days - 1, cfg.retention_days, life]
    for a in [w(PermanentDelete(0)), *SYNC]:
        s = step(s, a)
    assert ticks(TicksOff(tombstone_days(s))) == [life]
    assert Tick(1) in TicksOff({2}) and Tick(2) not in TicksOff({2}) and SYNC[0] not in TicksOff(set())


def test_a_path_that_does_not_carry_over_is_not_reported(tmp_path, monkeypatch):
    # if a smaller scope's path did not break the property on the configuration
    # asked for, the ladder goes on: the verdict then comes from a later rung
    # (the three smaller rungs' paths are made not to carry over; the last
    # rung's is the configuration's own, replayed as every path is)
    real, calls = ladder.transfer, []
    monkeypatch.setattr(ladder, "transfer",
                        lambda cfg, steps, prop: calls.append(prop) or (real(cfg, steps, prop) if len(calls) > 3 else None))
    cfg = make_config("entra", flaws=["ack-before-sync"])
    req = EngineRequest(cfg, ("no-acked-write-lost",), out_dir=tmp_path, seconds=60)
    (r,) = run(req)
    assert r.status == "violated" and r.steps == 2 and len(calls) == 4
    assert "session" not in r.length  # the scope asked for


def test_a_path_of_the_scope_asked_for_that_does_not_replay_is_an_error(tmp_path, monkeypatch):
    # the store and the model disagreeing is never hidden as "held"
    monkeypatch.setattr(ladder, "transfer", lambda cfg, steps, prop: None)
    cfg = make_config("entra", flaws=["ack-before-sync"])
    req = EngineRequest(cfg, ("no-acked-write-lost",), out_dir=tmp_path, seconds=60)
    with pytest.raises(AssertionError, match="does not break it on replay"):
        run(req)


def test_transfer_refuses_a_path_the_configuration_refuses_and_finds_the_first_break():
    cfg = make_config("entra", flaws=["ack-before-sync"])
    steps = list(SCENARIOS["ack-before-sync"][1])
    got = ladder.transfer(cfg, steps, "no-acked-write-lost")
    assert got is not None and len(got[0]) == 2 and got[2]
    assert ladder.transfer(make_config("entra"), steps, "no-acked-write-lost") is None  # refused: acknowledge waits


def test_dirproof_bfs_small_searches_the_small_scope_and_says_so(tmp_path):
    import json
    from typer.testing import CliRunner
    from dirproof.cli import app
    res = CliRunner().invoke(app, ["bfs", "--small", "--flaw", "no-fencing", "--json", "--out", str(tmp_path)])
    assert res.exit_code == 1, res.output
    data = json.loads(res.output)
    assert "1 session, 1 object" in data["scope"] and "without replica images" in data["scope"]
    (r,) = [r for r in data["results"] if r["status"] == "violated"]
    assert r["property"] == "no-acked-write-lost" and r["steps"] == Z3_SHORTEST["no-fencing"]
    cx = load(next(tmp_path.glob("*.json")))
    assert cx.config == make_config("entra", flaws=["no-fencing"])  # saved for the configuration asked for
