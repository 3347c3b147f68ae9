"""The picture of a replayed counterexample: a space-time diagram (drawsvg).

One vertical lane per actor (the orchestrator, each replica grouped by
region, each session); time flows down, one row per step. A replica's lane
shows its role after the step (thick blue: the AP, thick teal: the PP, thin
grey: a secondary, dashed: down) and, where the step changed it, its epoch,
log length and commit point. Writes, replication, acknowledgements, reads
and failovers are arrows between lanes; faults are marks on a lane; the
step where the property breaks is a red band, and the verdict is written
under the diagram.

The modules, each depending only on those above it: style (sizes and
colours), canvas (lanes, roles, header, verdict), marks (what a step
changed), diagram (the step column and the SVG), page (the HTML page).
A counterexample of a side machine (the identity layer, the cells layer)
is drawn by side.py with the lanes, notes and marks of its view (views.py).
"""

from .style import (C_ACK, C_AP, C_BREAK, C_DEPOSED, C_FAULT, C_ORCH, C_PP, C_READ, C_REFUSED, C_REPL,
                    C_SEC, C_WRITE, FONT, LANE, LEFT, ROW, TOP)
from .diagram import svg
from .page import html_page

__all__ = ["C_ACK", "C_AP", "C_BREAK", "C_DEPOSED", "C_FAULT", "C_ORCH", "C_PP", "C_READ", "C_REFUSED",
           "C_REPL", "C_SEC", "C_WRITE", "FONT", "LANE", "LEFT", "ROW", "TOP", "svg", "html_page"]
