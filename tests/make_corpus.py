"""Regenerate the regression corpus tests/counterexamples/*.json from the
hand-written scenarios (tests/scenarios.py), one file per seeded flaw.

    python tests/make_corpus.py            # rewrite every file
    python tests/make_corpus.py --check    # exit 1 if a file is missing or differs

Each file records where the scenario's property breaks when replayed; the
files are written atomically with stable names, so re-running changes
nothing unless a scenario or the model did.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from dirproof.counterexample import Counterexample, dumps, write  # noqa: E402
from dirproof.model import make_config  # noqa: E402
from dirproof.replay import replay  # noqa: E402
from scenarios import SCENARIOS  # noqa: E402

CORPUS = HERE / "counterexamples"


def build(flaw: str) -> Counterexample:
    prop, steps, overrides = SCENARIOS[flaw]
    cx = Counterexample(make_config("entra", flaws=[flaw], **overrides), tuple(steps), prop, None,
                        engine="hand-written", found="")
    o = replay(cx).outcome
    if not o.reproduced:
        raise SystemExit(f"scenario {flaw}: {prop} does not break ({'; '.join(o.notes)})")
    return Counterexample(cx.config, cx.steps, prop, o.step, o.message, "hand-written", "", o.status)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    CORPUS.mkdir(exist_ok=True)
    stale = []
    for flaw in sorted(SCENARIOS):
        cx = build(flaw)
        path = CORPUS / cx.name
        if check:
            if not path.exists() or path.read_text() != dumps(cx):
                stale.append(path.name)
        else:
            write(cx, path)
            print(path.relative_to(HERE.parent))
    if stale:
        print("out of date (run python tests/make_corpus.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
