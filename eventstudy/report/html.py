"""``report.html``: one self-contained page a researcher can send as is.

Everything is inline: CSS in a ``<style>`` element and figures as
``data:image/png;base64`` URIs, so the page opens offline and fetches
nothing. :func:`render_report` only assembles parts; the study wiring
(:mod:`eventstudy.study`) decides what goes in.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

__all__ = ["Figure", "Section", "figure_html", "frame_to_html", "render_report"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:72rem;padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2.2rem;
border-bottom:1px solid #ccc;padding-bottom:.2rem}h3{font-size:1.05rem}
.meta{color:#555;font-size:.9rem}
table{border-collapse:collapse;margin:.8rem 0;font-size:.85rem}
caption{text-align:left;font-weight:600;padding-bottom:.3rem}
th,td{padding:.15rem .6rem}thead th{border-top:2px solid #333;border-bottom:1px solid #333}
tbody tr:last-child td{border-bottom:2px solid #333}tr.es-rule td{border-top:1px solid #999}
td.es-num,td.num{text-align:right;font-variant-numeric:tabular-nums}
tfoot td{font-size:.8rem;color:#555;border:none;padding-top:.4rem}
figure{margin:1.2rem 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85rem;color:#444}
code{font-size:.85rem;word-break:break-all}.scroll{overflow-x:auto}
.headline{background:#f4f7fb;border:1px solid #c9d6e8;border-radius:6px;padding:.8rem 1.2rem}
.headline .big{font-size:1.35rem;font-weight:600}.headline ul{margin:.4rem 0;padding-left:1.2rem}
.summary-line{font-weight:600}td.wrap{max-width:28rem}td{vertical-align:top}
td.links a,td.links span{display:block;white-space:nowrap}
.flag{color:#a33}
"""


@dataclass(frozen=True)
class Figure:
    """A figure of the report: a PNG and its caption.

    Attributes
    ----------
    name : str
        File stem (``car_paths``); also the HTML anchor.
    caption : str
        What the figure shows.
    png : bytes
        The PNG image.
    """

    name: str
    caption: str
    png: bytes


def frame_to_html(frame: pd.DataFrame, caption: str = "", digits: int = 4) -> str:
    """Render a plain DataFrame as an HTML table (numbers right-aligned).

    Parameters
    ----------
    frame : DataFrame
        Rows to show; the index is dropped.
    caption : str
        Table caption.
    digits : int
        Decimals for floats.

    Returns
    -------
    str
    """
    e = html.escape
    out = ["<table>"]
    if caption:
        out.append(f"<caption>{e(caption)}</caption>")
    out.append(
        "<thead><tr>"
        + "".join(f'<th scope="col">{e(str(c))}</th>' for c in frame.columns)
        + "</tr></thead><tbody>"
    )
    for row in frame.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, pd.Timestamp):
                cells.append(f"<td>{e(_date_text(v))}</td>")
            elif isinstance(v, float):
                cells.append(f'<td class="num">{v:.{digits}f}</td>')
            elif isinstance(v, int):
                cells.append(f'<td class="num">{v}</td>')
            else:
                cells.append(f"<td>{e('' if v is None else str(v))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _date_text(ts: pd.Timestamp) -> str:
    """Write a date when there is no clock time (midnight, no zone)."""
    if pd.isna(ts):
        return ""
    if ts.tzinfo is None and ts == ts.normalize():
        return ts.strftime("%Y-%m-%d")
    return ts.isoformat(sep=" ")


def definition_list(items: Mapping[str, object]) -> str:
    """Render ``items`` as a two-column table (name, value), escaped."""
    e = html.escape
    rows = "".join(
        f"<tr><th scope='row' style='text-align:left'>{e(str(k))}</th>"
        f"<td>{e(str(v))}</td></tr>"
        for k, v in items.items()
    )
    return f"<table>{rows}</table>"


def figure_html(f: Figure) -> str:
    """Embed a figure as a base64 PNG data URI with its caption."""
    e = html.escape
    data = base64.b64encode(f.png).decode("ascii")
    return (
        f"<figure id='fig-{e(f.name)}'><img alt='{e(f.caption)}' "
        f"src='data:image/png;base64,{data}'>"
        f"<figcaption>{e(f.caption)}</figcaption></figure>"
    )


@dataclass(frozen=True)
class Section:
    """One ``<section>`` of the report: anchor, heading and its HTML body.

    Attributes
    ----------
    id : str
        Anchor (``headline``, ``events``, ...), also the ``<section id>``.
    title : str
        Heading (escaped on output).
    body : str
        HTML, already escaped by whoever built it.
    """

    id: str
    title: str
    body: str


def render_report(
    *, title: str, sections: Sequence[Section], subtitle: str = ""
) -> str:
    """Assemble the self-contained HTML report from its sections, in order.

    Parameters
    ----------
    title : str
        Page title (the study name).
    sections : sequence of Section
        The sections in page order (README: headline, events, results,
        diagnostics, methods, settings and provenance last).
    subtitle : str
        A line under the title (package version, creation time).

    Returns
    -------
    str
        The HTML document; it loads no external resource (figures are data
        URIs, the style is inline; source links are plain ``<a href>``).
    """
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
    ]
    if subtitle:
        parts.append(f'<p class="meta">{e(subtitle)}</p>')
    nav = " · ".join(f"<a href='#{e(s.id)}'>{e(s.title)}</a>" for s in sections)
    parts.append(f"<nav class='meta'>{nav}</nav>")
    for s in sections:
        parts.append(
            f"<section id='{e(s.id)}'><h2>{e(s.title)}</h2>\n{s.body}\n</section>"
        )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
