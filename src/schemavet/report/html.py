"""Self-contained HTML pages: the schema diagram, a review, a verification.

Each page carries the Mermaid renderer inline (``report/vendor/mermaid.min.js``, MIT, see its
README), so it renders in a browser with no network at view time; the diagrams are Mermaid text
in ``<pre class="mermaid">`` elements, drawn as SVG when the page loads. The page's ``<body>``
says ``data-rendered="done"`` once every diagram is drawn (``"failed"`` and a console error
otherwise).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from html import escape
from importlib import resources
from string import Template

from schemavet.report.diagram import Diagram, Part

MERMAID_VERSION = "12.4.0"
# The page's own limit: a part too big for Mermaid's default (one huge table) still renders here.
PAGE_MAX_TEXT_SIZE = 10_000_000


def render_page(title: str, summary: str, body: str, version: str = "") -> str:
    """A whole page: ``summary`` and ``body`` are HTML already; the title is text."""
    return _template().substitute(
        title=escape(title),
        summary=summary,
        body=body,
        mermaid=_mermaid(),
        mermaid_version=MERMAID_VERSION,
        version=escape(version),
        max_text_size=PAGE_MAX_TEXT_SIZE,
    )


def diagram_html(diagram: Diagram, caption: str = "") -> str:
    """The diagram's parts (with an index when there are several), each in a scrolling box."""
    if not diagram.split:
        return _part_html(diagram.parts[0], caption)
    items = "".join(
        f'<li><a href="#part-{n}">{escape(_part_title(part, n))}</a> '
        f'<span class="muted">({len(part.tables)} tables)</span></li>'
        for n, part in enumerate(diagram.parts, start=1)
    )
    sections = "".join(
        f'<section id="part-{n}"><h3>{escape(_part_title(part, n))}</h3>{_part_html(part, "")}</section>'
        for n, part in enumerate(diagram.parts, start=1)
    )
    note = (
        f'<p class="muted">Drawn in {len(diagram.parts)} parts: each stays under Mermaid\'s '
        f"{diagram.max_text_size:,}-character limit.</p>"
    )
    return (
        f'{caption and f"<p>{escape(caption)}</p>"}{note}<nav class="index"><ol>{items}</ol></nav>{sections}'
    )


def _part_title(part: Part, number: int) -> str:
    return f"Part {number}: {part.title}" if part.title else f"Part {number}"


def _part_html(part: Part, caption: str) -> str:
    box = f'<div class="diagram"><pre class="mermaid">{escape(part.text, quote=False)}</pre></div>'
    return f"<figure><figcaption>{escape(caption)}</figcaption>{box}</figure>" if caption else box


def legend_html(marks: Iterable[str], meanings: dict[str, str]) -> str:
    """A line naming what each highlight colour means, for the marks a page uses."""
    spans = "".join(f'<span class="{m}">{escape(meanings[m])}</span>' for m in sorted(set(marks)))
    return f'<p class="legend">{spans}</p>' if spans else ""


@lru_cache(maxsize=1)
def _template() -> Template:
    return Template(resources.files("schemavet.report").joinpath("templates/page.html").read_text("utf-8"))


@lru_cache(maxsize=1)
def _mermaid() -> str:
    """The vendored renderer, checked to be safe inside a ``<script>`` element."""
    text = resources.files("schemavet.report").joinpath("vendor/mermaid.min.js").read_text("utf-8")
    if "<script" in text.lower() or "</script" in text.lower():
        raise RuntimeError("The vendored mermaid.min.js cannot be inlined: it holds a <script> tag")
    return text
