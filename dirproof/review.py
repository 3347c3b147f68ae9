"""The design-review report: every property beside its source, assumptions and
evidence, the what-if matrix of every seeded flaw against every property, the
fault model and what lies outside it, and the scope of each proof.

`gather` runs the engines (the same ones `dirproof check` runs) on the safe
design and on every flaw; `render` turns the evidence into Markdown. The
report holds no timings and the engines run with a fixed seed, so the same
tree regenerates the same report.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Optional

import attrs

from dirproof import __version__
from dirproof.counterexample import load
from dirproof.engines import EngineRequest, run
from dirproof.model import FLAWS, Config
from dirproof.properties import ALL_PROPERTIES as PROPERTIES  # every machine: the partition, identity, cells
from dirproof.properties import ASSUMPTIONS, SIDE_LAYERS
from dirproof.properties import PROPERTIES as PARTITION_PROPERTIES
from dirproof.results import PropertyResult, merge

SEED = 20261122
FLAW_SEEDS = 3  # each flaw is explored with seeds SEED .. SEED + 2; the shortest trace is kept
# The first seed's exploration of a flaw goes on past its first violation
# (dirproof check --all-violations), with rounds of this many examples after
# the first, so the matrix shows every property the flaw breaks; the full
# budget per later round would cost a whole exploration per flaw.
LATER_EXAMPLES = 100


@attrs.frozen
class Review:
    config: Config
    engines: tuple[str, ...]
    safe: dict  # property -> PropertyResult (strongest over the engines)
    flaws: dict  # flaw -> {property -> PropertyResult}
    pictures: dict  # counterexample path -> picture path
    coverage: dict = attrs.field(factory=dict)  # the safe exploration's (dirproof.explore coverage)
    backups: tuple = ()  # dirproof.backup_depth rows: the retention/snapshot settings checked


def _run_all(config: Config, engines, examples, out_dir: Path, progress, coverage=None,
             seed: int = SEED, all_violations: bool = False) -> dict:
    results: list[PropertyResult] = []
    for engine in engines:
        req = EngineRequest(config, _judged(config), examples=examples, seed=seed,
                            out_dir=out_dir, progress=progress, all_violations=all_violations,
                            later_examples=LATER_EXAMPLES if all_violations else None,
                            on_coverage=coverage.update if coverage is not None else lambda c: None)
        results += run(engine, req)
    return merge(results)


def _judged(config: Config) -> tuple[str, ...]:
    """The properties a run judges: all on the safe design; a flaw's own
    machine's (the identity layer's, the cells layer's or the partition's) under a flaw."""
    if not config.flaws:
        return tuple(PROPERTIES)
    side = [FLAWS[f].area for f in config.flaws if FLAWS[f].area in SIDE_LAYERS]
    return tuple(SIDE_LAYERS[side[0]] if side else PARTITION_PROPERTIES)


def gather(config: Config, engines=("z3", "hypothesis"), examples: Optional[int] = None,
           out_dir: Path = Path("docs/review"), progress: Callable[[str], None] = lambda s: None,
           flaw_engines=("hypothesis",)) -> Review:
    """Run every engine on the safe design, and `flaw_engines` on each flaw
    (the Z3 bounded search per flaw takes minutes; its shortest lengths are
    in docs/z3.md)."""
    quiet = lambda done, total, label: None  # noqa: E731
    progress("safe design")
    coverage: dict = {}
    safe = _run_all(attrs.evolve(config, flaws=()), engines, examples, out_dir, quiet, coverage)
    flaws = {}
    for flaw in FLAWS:
        progress(f"flaw {flaw}")
        flaws[flaw] = _shortest_of_seeds(attrs.evolve(config, flaws=(flaw,)), flaw_engines, examples,
                                         out_dir, quiet)
    pictures = _draw_pictures([*safe.values(), *(r for m in flaws.values() for r in m.values())])
    from dirproof import backup_depth
    progress("backup depth")
    return Review(config, tuple(engines), safe, flaws, pictures, coverage, tuple(backup_depth.rows(config)))


def _shortest_of_seeds(config: Config, engines, examples, out_dir: Path, progress) -> dict:
    """The strongest verdict per property over FLAW_SEEDS explorations (a
    violation with the shortest trace wins); the first goes on past its
    first violation, so every property the flaw breaks is found. Only the
    kept counterexample files end up in `out_dir`."""
    results: list[PropertyResult] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(FLAW_SEEDS):
            results += _run_all(config, engines, examples, Path(tmp) / str(i), progress,
                                seed=SEED + i, all_violations=i == 0).values()
        best = merge(results)
        for prop, r in best.items():
            if r.counterexample:
                dest = Path(out_dir) / Path(r.counterexample).name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(r.counterexample, dest)
                best[prop] = attrs.evolve(r, counterexample=str(dest))
    return best


def _draw_pictures(results) -> dict:
    from dirproof.picture import svg
    from dirproof.replay import replay

    out = {}
    for r in results:
        if r.counterexample and r.counterexample not in out:
            path = Path(r.counterexample)
            pic = path.with_suffix(".svg")
            pic.write_text(svg(replay(load(path))))
            out[r.counterexample] = str(pic)
    return out


def _link(path: Optional[str], base: Path, text: str) -> str:
    if not path:
        return ""
    return f"[{text}]({os.path.relpath(path, base)})"


def _verdict(r: PropertyResult) -> str:
    if r.status == "held":
        return f"held ({r.examples} examples, {r.steps or 0} steps)" if r.examples else "held"
    if r.status == "violated":
        return f"**violated** ({r.steps} steps)"
    return r.status


def _evidence(r: PropertyResult, rv: Review, base: Path) -> str:
    cx = r.counterexample
    links = " ".join(x for x in (_link(cx, base, "trace"), _link(rv.pictures.get(cx or ""), base, "picture")) if x)
    detail = r.detail.split(";")[0] if r.status == "proved" else r.detail  # the full scope is in its own section
    return " ".join(x for x in (detail.replace("\n", " ").replace("|", "/"), links) if x)


def render(rv: Review, out: Path) -> str:
    """The report as Markdown; links are relative to `out`'s folder."""
    base = Path(out).parent
    parts = [_header(rv), _summary(rv), _safe_table(rv, base), _properties(rv, base),
             _matrix(rv, base), _fault_model(), _scopes(rv), _coverage(rv), _findings()]
    if rv.backups:
        from dirproof import backup_depth
        parts.insert(-1, backup_depth.render(list(rv.backups)))
    return "\n\n".join(parts) + "\n"


def _header(rv: Review) -> str:
    cfg = rv.config
    topo = "; ".join(f"{g}: " + " ".join(d.name for d in cfg.datacenters if cfg.regions[d.region] == g)
                     for g in cfg.regions)
    return (f"# Design review: one directory partition, profile `{cfg.profile}`\n\n"
            f"Generated by `dirproof review` (dirproof {__version__}); regenerate with "
            f"`dirproof review --out docs/review.md`. Do not edit by hand.\n\n"
            f"The design under review is `../shared/design.md`; `docs/model.md` maps it onto the model. "
            f"Topology: {topo}. Sessions {cfg.sessions}, objects {cfg.objects}, retention "
            f"{cfg.retention_days} days, snapshots every {cfg.snapshot_every_days} day(s), "
            f"{cfg.snapshots_kept} kept. Engines on the safe design: {', '.join(rv.engines)}; on each "
            f"flaw: hypothesis (fixed seeds {SEED} to {SEED + FLAW_SEEDS - 1}, the shortest trace kept; the "
            f"first seed's exploration goes on past the first violation, `--all-violations`, with "
            f"{LATER_EXAMPLES} examples per later round); Z3's shortest counterexamples per flaw are in "
            f"docs/z3.md.")


def _caught(rv: Review, flaw: str) -> list[str]:
    return sorted(p for p, r in rv.flaws[flaw].items() if r.status == "violated")


def _summary(rv: Review) -> str:
    counts: dict[str, int] = {}
    for r in rv.safe.values():
        counts[r.status] = counts.get(r.status, 0) + 1
    verdicts = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    missed = [f for f, flaw in FLAWS.items() if not set(flaw.caught_by) & set(_caught(rv, f))]
    lines = ["## Summary", "",
             f"* Safe design: {verdicts} (of {len(PROPERTIES)} properties).",
             f"* Seeded flaws: {len(FLAWS) - len(missed)} of {len(FLAWS)} caught by a property that "
             f"design.md §5 names for them." + (f" **Missed: {', '.join(missed)}.**" if missed else "")]
    return "\n".join(lines)


def _safe_table(rv: Review, base: Path) -> str:
    rows = ["## Verdicts on the safe design", "",
            "`proved` by z3-parametric: a proof for any number of replicas, regions (at least two), "
            "sessions, log entries and epochs (docs/parametric.md), with the fixed-scope proof as its "
            "cross-check; `proved` by z3-induction: a Z3 inductive proof for the fixed scope stated in "
            "\"What each proof covers\"; "
            "`held`: no violation in the explored executions; "
            "`violated`: a counterexample, linked.", "",
            "| property | verdict | engine | evidence |", "|---|---|---|---|"]
    for pid in PROPERTIES:
        r = rv.safe.get(pid)
        if r is None:
            rows.append(f"| `{pid}` | not checked | | |")
            continue
        rows.append(f"| `{pid}` | {_verdict(r)} | {r.engine} | {_evidence(r, rv, base)} |")
    return "\n".join(rows)


def _properties(rv: Review, base: Path) -> str:
    out = ["## The properties"]
    for p in PROPERTIES.values():
        breakers = [f for f in FLAWS if p.id in _caught(rv, f)]
        r = rv.safe.get(p.id)
        out += ["", f"### `{p.id}`", "", p.statement, "",
                f"* Why: {p.seed_fact} (seeds {', '.join(p.seeds)})",
                f"* Assumes: {', '.join(p.assumptions) or 'nothing beyond the model'}",
                f"* Evidence on the safe design: {_verdict(r) + ' by ' + r.engine if r else 'not checked'}"
                + (f"; {_evidence(r, rv, base)}" if r and _evidence(r, rv, base) else ""),
                f"* Broken by the flaws: {', '.join(f'`{f}`' for f in breakers) or 'none'}"]
    return "\n".join(out)


def _matrix(rv: Review, base: Path) -> str:
    ids = list(PROPERTIES)
    head = "| flaw | turns off | " + " | ".join(f"`{p}`" for p in ids) + " |"
    rows = ["## What if: every seeded flaw against every property", "",
            "Each row turns one safeguard off (design.md §5). A cell links the counterexample "
            "trace and its picture when the property breaks; ★ marks the properties design.md "
            "names for the flaw (one of them must break); MISSED marks a flaw that none of them "
            "caught. The first exploration of each flaw goes on past its first violation "
            "(`--all-violations`) until a round breaks nothing more; still, a · means "
            "\"not seen broken in this run\", not \"cannot break\".", "",
            head, "|" + "---|" * (len(ids) + 2)]
    for f, flaw in FLAWS.items():
        cells = []
        caught = any(rv.flaws[f].get(p) is not None and rv.flaws[f][p].status == "violated"
                     for p in flaw.caught_by)
        for p in ids:
            r = rv.flaws[f].get(p)
            star = "★ " if p in flaw.caught_by else ""
            if r is not None and r.status == "violated":
                links = " ".join(x for x in (_link(r.counterexample, base, "trace"),
                                             _link(rv.pictures.get(r.counterexample or ""), base, "picture")) if x)
                cells.append(f"{star}broken ({r.steps} steps) {links}".strip())
            else:
                cells.append(("★ ·" if caught else "MISSED") if star else "·")
        rows.append(f"| `{f}` | {flaw.turns_off} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _fault_model() -> str:
    budget = ASSUMPTIONS["fault-budget"].statement
    return "\n".join([
        "## The fault model", "",
        "Injected: crash and recovery of a replica; disk loss of a replica (its log, commit point and "
        "epoch are gone); network partitions between datacenters and their healing; loss of a whole "
        "region (disk loss of every datacenter in it); a replica restored from an old image of itself "
        "(the safe design counts it as a disk loss and makes the replica rejoin with a fresh copy). "
        "Message delay is the interleaving of steps.", "",
        f"Fault budget (every property assumes it): {budget} Going over it is reported as "
        "`assumption-broken`, with its own counterexample, never as a pass.", "",
        "Outside the model:",
        "* losing the disks of both the AP and the PP (or of the AP and the old PP before a new PP "
        "has copied the log): acknowledged writes can be lost; this is the budget's edge;",
        "* the failover orchestrator itself, assumed reliable and linearisable (flaw "
        "`orchestrator-loses-change` shows what one lost committed change of its record does);",
        "* Byzantine replicas, corrupted disks, clock skew (the model has no clocks: time is a tick "
        "step), message loss other than through partitions;",
        "* what would cross between machines: the identity layer (keys, tokens, CAE, backup "
        "authentication, design.md §7; docs/model.md, \"Identity layer\") and the cells (3 cells, each "
        "with its own orchestrator and gateway instance, their data and availability only, not a whole "
        "partition each; design.md §8; docs/model.md, \"Cells\") are machines of their own beside the "
        "partition; traffic, and so the seeds' 2% per cell, is not modelled."])


def _scopes(rv: Review) -> str:
    lines = ["## What each proof covers", ""]
    proved = [r for r in rv.safe.values() if r.status == "proved"]
    if not proved:
        lines.append("No property is proved in this run; verdicts are from bounded search and exploration.")
    for r in proved:
        lines.append(f"* `{r.property}` ({r.engine}): {r.detail}")
    held = [r for r in rv.safe.values() if r.status == "held"]
    if held:
        lines += ["", "Explored only (no proof): " + ", ".join(f"`{r.property}` ({r.engine})" for r in held)
                  + ". Exploration can find violations; it cannot show their absence."]
    return "\n".join(lines)


def _coverage(rv: Review) -> str:
    """What the exploration of the safe design reached: a green verdict is
    only worth the situations the run got to (docs/exploration.md)."""
    cov = rv.coverage
    if not cov:
        return "## Coverage of the exploration\n\nThe Hypothesis engine did not run on the safe design."
    lines = ["## Coverage of the exploration (safe design)", "",
             f"{cov['examples']} examples, {cov['steps']} steps. Each named situation, the property "
             "whose interesting case it is, and how often it occurred; the four reachability "
             "situations must occur for a `held` verdict to count"
             + (f" (NOT reached: {', '.join(cov['unreached'])})." if cov["unreached"] else " (all reached)."),
             "", "| situation | property | kind | count |", "|---|---|---|---|"]
    for sit in cov["situations"]:
        kind = "reachability" if sit["reachability"] else "interesting case"
        lines.append(f"| {sit['statement']} (`{sit['situation']}`) | `{sit['property']}` | {kind} | {sit['count']} |")
    steps = ", ".join(f"`{k}` {n}" for k, n in cov["step_counts"].items())
    lines += ["", f"Steps fired: {steps}."]
    return "\n".join(lines)


def _findings() -> str:
    return "\n".join([
        "## Findings and decisions", "",
        "Where design.md is silent the model decides; `docs/model.md` lists every such choice. "
        "Three of them are findings of this review (the first with a flaw knob that shows the "
        "counterexample the choice prevents); the fourth is a finding about the proofs:", "",
        "1. **Promote only a PP that is in sync.** An emergency failover must not promote a PP "
        "installed by an earlier failover that has not yet copied its AP's log (or that lost its "
        "disk since): with one disk loss, inside the budget, an acknowledged write is lost. "
        "Flaw `promote-unsynced-pp` shows it.",
        "2. **\"Before the PP has been replaced\" means before the new PP holds the log.** After a "
        "PP is replaced, the old PP keeps the only second copy until the new one has copied the "
        "AP's log; the fault budget keeps guarding it until then.",
        "3. **Two regions cannot keep writes through a region loss.** With the PP required in "
        "another region, losing one of two regions leaves no valid PP: writes stay unavailable "
        "(availability is given up, acknowledged data never is). Three regions keep writes.",
        "4. **The object properties rest on one history.** Z3 proves the soft-delete properties "
        "over one history of the object layer; they carry over to the whole model only because "
        "one-history and no-acked-write-lost hold. Under `ack-before-sync` every replica's log is "
        "still a valid object history, yet an acknowledged soft delete is lost in a failover and "
        "`soft-delete-restorable` and `no-early-purge` break: a replication flaw is an object-layer "
        "flaw too (docs/z3.md).",
    ])


def relocate(rv: Review, moved: dict) -> Review:
    """The review with its files' paths changed as `moved` says ({old: new}):
    the engines wrote into a staging folder (dirproof/outputs.py)."""
    def at(path: Optional[str]) -> Optional[str]:
        return moved.get(path, path) if path else path

    def fix(results: dict) -> dict:
        return {p: attrs.evolve(r, counterexample=at(r.counterexample)) for p, r in results.items()}
    return attrs.evolve(rv, safe=fix(rv.safe), flaws={f: fix(m) for f, m in rv.flaws.items()},
                        pictures={at(k): at(v) for k, v in rv.pictures.items()})


def write(rv: Review, out: Path) -> Path:
    """Write the report atomically (a temporary file, then a rename)."""
    from dirproof.outputs import write_text
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_text(out, render(rv, out))
