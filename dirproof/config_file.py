"""Design variants as TOML files (`--config FILE`), so a reviewer's "what if"
is a file in their repository, not a code change.

    # what-if.toml
    profile = "entra"                  # start from a profile (default: entra)
    flaws = ["pp-same-region"]         # seeded flaws to turn on (ids of `dirproof flaws`)

    [parameters]                       # any Config field but topology and flaws
    sessions = 1
    retention_days = 7

    [topology]                         # optional: replaces the profile's topology
    regions = ["west", "east", "north"]
    datacenters = [
      { name = "w1", region = "west" },
      { name = "e1", region = "east" },
      { name = "n1", region = "north" },
    ]
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import attrs

from dirproof.model import Config, ConfigError, Datacenter, make_config
from dirproof.model.config import CHOICES, PP_LAG_RANGE, PROBE_FAILURES, validate

TOP_KEYS = {"profile", "flaws", "parameters", "topology"}
PARAMETERS = {f.name for f in attrs.fields(Config)} - {"profile", "regions", "datacenters", "flaws"}


# The range of each size a file may set (docs/user-guide.md, "Limits"): the
# model's state, and the time to explore or prove it, grow steeply with each.
LIMITS: dict[str, tuple[int, int]] = {
    "sessions": (0, 4), "objects": (0, 4), "attributes": (1, 4), "values": (2, 4),
    "retention_days": (1, 365), "snapshot_every_days": (1, 365), "snapshots_kept": (1, 30),
    "probe_failures": PROBE_FAILURES,
    "tombstone_lifetime_days": (1, 3650),
    "group_expiry_days": (0, 3650), "memberships": (0, 1),
    "revocation_lag_minutes": (1, 1440),
}
LIMITS["pp_lag_limit"] = PP_LAG_RANGE  # issue 13 item 4 (model/sync_set.py)
MAX_DATACENTERS = 9
MAX_FILE_BYTES = 1_000_000


class ConfigFileError(ValueError):
    """A configuration file that cannot be read as a design variant."""


def load_config(path: Path, extra_flaws=()) -> Config:
    """Read a TOML design variant; ConfigFileError names the file and the problem."""
    path = Path(path)
    try:
        if path.is_dir():
            raise ConfigFileError(f"{path}: a folder, not a TOML file")
        if path.exists() and not path.is_file():
            raise ConfigFileError(f"{path}: not a regular file")
        if path.exists() and path.stat().st_size > MAX_FILE_BYTES:
            raise ConfigFileError(f"{path}: larger than {MAX_FILE_BYTES} bytes, not a design variant")
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigFileError(f"{path}: no such file") from None
    except PermissionError:
        raise ConfigFileError(f"{path}: no permission to read it") from None
    except OSError as exc:
        raise ConfigFileError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigFileError(f"{path}: not valid TOML ({exc})") from None
    try:
        cfg = _build(data, extra_flaws)
        # The file's stem labels the variant, so its counterexample files do
        # not overwrite those of the profile it starts from.
        return attrs.evolve(cfg, profile=path.stem)
    except ConfigError as exc:
        raise ConfigFileError(f"{path}: {exc}") from None


def _build(data: dict, extra_flaws) -> Config:
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise ConfigError(f"unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(TOP_KEYS))}")
    profile = data.get("profile", "entra")
    if not isinstance(profile, str):
        raise ConfigError("profile must be a string")
    flaws = data.get("flaws", [])
    if not isinstance(flaws, list) or not all(isinstance(f, str) for f in flaws):
        raise ConfigError("flaws must be a list of flaw ids")
    params = data.get("parameters", {})
    if not isinstance(params, dict):
        raise ConfigError("[parameters] must be a table")
    bad = set(params) - PARAMETERS
    if bad:
        raise ConfigError(f"unknown parameter(s) {', '.join(sorted(bad))}; allowed: {', '.join(sorted(PARAMETERS))}")
    for key, value in params.items():
        if key in CHOICES:  # a protocol-choice knob: one of its named settings
            if value not in CHOICES[key]:
                raise ConfigError(f"parameter {key} must be one of {', '.join(map(repr, CHOICES[key]))}, not {value!r}")
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"parameter {key} must be a whole number, not {value!r}")
        lo, hi = LIMITS.get(key, (0, 1000))
        if not lo <= value <= hi:
            raise ConfigError(f"parameter {key} = {value} is not in the range {lo}..{hi}")
    cfg = make_config(profile, flaws=list(flaws) + list(extra_flaws), **params)
    if "topology" in data:
        regions, dcs = _topology(data["topology"])
        cfg = validate(attrs.evolve(cfg, regions=regions, datacenters=dcs))
    return cfg


def _topology(topo) -> tuple[tuple[str, ...], tuple[Datacenter, ...]]:
    if not isinstance(topo, dict) or set(topo) != {"regions", "datacenters"}:
        raise ConfigError("[topology] needs exactly two keys: regions and datacenters")
    regions = topo["regions"]
    if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions) or not regions:
        raise ConfigError("topology.regions must be a non-empty list of region names")
    if len(set(regions)) != len(regions):
        raise ConfigError("topology.regions must be distinct")
    if isinstance(topo["datacenters"], list) and len(topo["datacenters"]) > MAX_DATACENTERS:
        raise ConfigError(f"topology.datacenters: {len(topo['datacenters'])} is not in the range "
                          f"2..{MAX_DATACENTERS}")
    dcs = []
    for i, dc in enumerate(topo["datacenters"] if isinstance(topo["datacenters"], list) else [None]):
        if not isinstance(dc, dict) or set(dc) != {"name", "region"}:
            raise ConfigError(f"topology.datacenters[{i}] must be {{ name = \"...\", region = \"...\" }}")
        if dc["region"] not in regions:
            raise ConfigError(f"datacenter {dc['name']} is in region {dc['region']!r}, which is not in topology.regions")
        dcs.append(Datacenter(str(dc["name"]), regions.index(dc["region"])))
    return tuple(regions), tuple(dcs)
