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

from eventstudy.report.tables import Table

__all__ = ["Figure", "frame_to_html", "render_report"]

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
            if isinstance(v, float):
                cells.append(f'<td class="num">{v:.{digits}f}</td>')
            elif isinstance(v, int):
                cells.append(f'<td class="num">{v}</td>')
            else:
                cells.append(f"<td>{e('' if v is None else str(v))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _definition_list(items: Mapping[str, object]) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><th scope='row' style='text-align:left'>{e(str(k))}</th>"
        f"<td>{e(str(v))}</td></tr>"
        for k, v in items.items()
    )
    return f"<table>{rows}</table>"


def render_report(
    *,
    title: str,
    settings: Mapping[str, object],
    provenance: pd.DataFrame | None = None,
    tables: Sequence[Table] = (),
    figures: Sequence[Figure] = (),
    skipped: pd.DataFrame | None = None,
    confounding: pd.DataFrame | None = None,
    subtitle: str = "",
) -> str:
    """Assemble the self-contained HTML report.

    Parameters
    ----------
    title : str
        Page title (the study name).
    settings : mapping
        Study settings shown as a two-column table (model, windows, ...).
    provenance : DataFrame, optional
        Data provenance, e.g. ``ticker, source, first, last, rows, sha256``.
    tables : sequence of Table
        Result tables, in order.
    figures : sequence of Figure
        Figures, embedded as base64 PNG data URIs.
    skipped : DataFrame, optional
        Events that were not estimated, with the reason.
    confounding : DataFrame, optional
        Confounding flags per (event, listing).
    subtitle : str
        A line under the title (package version, creation time).

    Returns
    -------
    str
        The HTML document; it references no external resource.
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
    toc = ["settings"]
    body: list[str] = [
        "<h2 id='settings'>Study settings</h2>",
        _definition_list(settings),
    ]
    if provenance is not None and len(provenance):
        toc.append("data")
        body += [
            "<h2 id='data'>Data provenance</h2>",
            "<p>SHA-256 of each price series as read; rerun with the same "
            "hashes to reproduce every number.</p>",
            f"<div class='scroll'>{frame_to_html(provenance)}</div>",
        ]
    if tables:
        toc.append("tables")
        body.append("<h2 id='tables'>Tables</h2>")
        body += [f"<div class='scroll'>{t.to_html()}</div>" for t in tables]
    if figures:
        toc.append("figures")
        body.append("<h2 id='figures'>Figures</h2>")
        for f in figures:
            data = base64.b64encode(f.png).decode("ascii")
            body.append(
                f"<figure id='fig-{e(f.name)}'><img alt='{e(f.caption)}' "
                f"src='data:image/png;base64,{data}'>"
                f"<figcaption>{e(f.caption)}</figcaption></figure>"
            )
    toc.append("skipped")
    body.append("<h2 id='skipped'>Skipped events</h2>")
    if skipped is not None and len(skipped):
        body.append(frame_to_html(skipped))
    else:
        body.append("<p>None: every event was estimated.</p>")
    if confounding is not None:
        toc.append("confounding")
        body.append("<h2 id='confounding'>Confounding flags</h2>")
        if len(confounding):
            body.append(
                "<p>(Event, listing) pairs whose event window holds another "
                "catalog event of the same listing.</p>"
            )
            body.append(f"<div class='scroll'>{frame_to_html(confounding)}</div>")
        else:
            body.append("<p>No event window holds another catalog event.</p>")
    nav = " · ".join(f"<a href='#{s}'>{s}</a>" for s in toc)
    parts.append(f"<nav class='meta'>{nav}</nav>")
    parts += body
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
