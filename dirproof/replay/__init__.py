"""Replaying a counterexample on the model: step by step, with what changed.

`replay(cx)` runs every saved step with the model's executor, checks every
property after each one, says in words what each step changed (a diff, not
the whole state) and where the recorded violation reproduced. On the
recorded design a step the model rejects is bad input (`ReplayError`,
naming the step and the reason): a saved trace must run as it was found.
`replay(cx, design)` replays it on another design, where a rejected step
refutes the trace (the guard's reason says why): how a reviewer shows that a
fix works.

`minimize(cx)` removes steps by delta debugging while the same property
still breaks; `pytest_source(cx)` prints a self-contained pytest function.

The modules, each depending only on those above it:
  words     the text of actions (from the step registry), states and diffs
  run       running the steps, the outcome (ReplayError, TraceDoesNotFit)
  design    which design to replay on, from the command line's options
  report    the report and the JSON document
  minimize  delta debugging
  export    the pytest function
"""

from .words import action_text, diff_states, entry_text, event_text, roles_text, topology_text
from .run import (Outcome, Refusal, Replay, ReplayError, StepResult, TraceDoesNotFit, check_fit,
                  check_target, known_targets, replay, safe_config, with_flaws)
from .design import DesignChoice, DesignError, check_choice, choose_design
from .report import design_text, replay_to_json, report_lines, verdict_lines
from .minimize import Minimized, breaks_at, ddmin, minimize
from .export import pytest_source

__all__ = ["action_text", "diff_states", "entry_text", "event_text", "roles_text", "topology_text",
           "Outcome", "Refusal", "Replay", "ReplayError", "StepResult", "TraceDoesNotFit", "check_fit",
           "check_target", "known_targets", "replay", "safe_config", "with_flaws",
           "DesignChoice", "DesignError", "check_choice", "choose_design",
           "design_text", "replay_to_json", "report_lines", "verdict_lines",
           "Minimized", "breaks_at", "ddmin", "minimize", "pytest_source"]
