"""Sizes and colours of the counterexample pictures (shared with conform's)."""

from __future__ import annotations

ROW = 58  # height of one step
LANE = 112  # distance between lanes
LEFT = 250  # the step column
TOP = 118  # title and lane headers
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"

C_WRITE = "#1f5fa8"
C_REPL = "#2a9d4a"
C_ACK = "#e07b00"
C_READ = "#7b3fa0"
C_ORCH = "#8c2d19"
C_FAULT = "#d62728"
C_AP = "#1f5fa8"
C_PP = "#17a2a2"
C_SEC = "#9a9a9a"
C_DEPOSED = "#9db9dd"
C_BREAK = "#fbd5d0"
C_REFUSED = "#dbeedd"  # the row of the step another design refuses

# The colour of a step's name in the step column, by its registry group
# (model/next.py StepSpec.group): a new step of a known group needs nothing here.
GROUP_COLOR = {"write": C_WRITE, "replication": C_REPL, "session": C_READ, "fault": C_FAULT,
               "orchestrator": C_ORCH, "time": C_ORCH, "gateway": C_ORCH}  # gateway: issue 15
