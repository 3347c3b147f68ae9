"""The picture and the step report in one self-contained HTML page (no
network, no scripts)."""

from __future__ import annotations

import html

from dirproof.replay import Replay, report_lines

from .diagram import svg
from .style import FONT


def html_page(rp: Replay, path: str = "") -> str:
    """A self-contained HTML page: the diagram (inline SVG) and the step list."""
    picture = svg(rp)
    picture = picture[picture.index("<svg"):]
    report = html.escape("\n".join(report_lines(rp, path)))
    title = html.escape(f"dirproof counterexample: {rp.cx.property}")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: {FONT}; margin: 1.5em; color: #222; }}
.picture {{ overflow-x: auto; border: 1px solid #ddd; }}
pre {{ background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: 13px; }}
</style></head>
<body>
<h1 style="font-size: 1.3em">{title}</h1>
<p>Hover a step in the diagram for its full diff; the steps and what each changed are listed below.</p>
<div class="picture">
{picture}
</div>
<h2 style="font-size: 1.1em">Steps</h2>
<pre>{report}</pre>
</body></html>
"""
