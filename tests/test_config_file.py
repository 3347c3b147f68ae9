"""Design variants from TOML files: good files build the configuration they
describe; bad ones give one clear error naming the file and the problem."""

import pytest

from dirproof.config_file import ConfigFileError, load_config


def write(tmp_path, text, name="variant.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_example_files_load():
    cfg = load_config("examples/pp-same-region.toml")
    assert cfg.flaws == ("pp-same-region",) and cfg.sessions == 1 and cfg.profile == "pp-same-region"
    topo = load_config("examples/three-regions.toml")
    assert topo.regions == ("west", "east", "north")
    assert [(d.name, d.region) for d in topo.datacenters] == [("w1", 0), ("e1", 1), ("n1", 2)]


def test_extra_flaws_from_the_command_line_are_added(tmp_path):
    cfg = load_config(write(tmp_path, 'flaws = ["ship-unacked"]\n'), extra_flaws=["ack-before-sync"])
    assert cfg.flaws == ("ack-before-sync", "ship-unacked")


@pytest.mark.parametrize("text, words", [
    ("profile = ", "not valid TOML"),
    ('colour = "red"\n', "unknown key(s) colour"),
    ('profile = "huge"\n', "unknown profile 'huge'"),
    ('flaws = ["no-such-flaw"]\n', "unknown flaw id(s): no-such-flaw"),
    ('flaws = "ack-before-sync"\n', "flaws must be a list"),
    ("[parameters]\nreplicas = 3\n", "unknown parameter(s) replicas"),
    ('[parameters]\nsessions = "two"\n', "must be a whole number"),
    ("[parameters]\nsessions = -1\n", "sessions = -1 is not in the range 0..4"),
    ("[parameters]\nobjects = 1000\n", "objects = 1000 is not in the range 0..4"),
    ("[parameters]\nretention_days = 100000000000000000000\n", "is not in the range 1..365"),
    ('[topology]\nregions = ["a"]\ndatacenters = [{ name = "a1", region = "a" }, { name = "a2", region = "a" }]\n',
     "no second region"),
    ('[topology]\nregions = ["a", "b"]\ndatacenters = [{ name = "a1", region = "z" }]\n', "not in topology.regions"),
    ('[topology]\nregions = ["a", "b"]\ndatacenters = []\n', "zero replicas"),
])
def test_bad_files_are_refused_with_the_reason(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(ConfigFileError) as err:
        load_config(path)
    assert str(path) in str(err.value) and words in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigFileError, match="no such file"):
        load_config(tmp_path / "absent.toml")
