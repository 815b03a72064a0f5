"""Paper-style tables: CARs per event and window, CAAR tests per group.

A :class:`Table` holds the cells as text (already formatted, stars attached)
and renders them to Markdown, HTML, LaTeX (booktabs) and CSV, so the four
formats always show the same numbers. Builders:

* :func:`car_table` — one block per event: the CAR of each window with
  significance stars and, beneath it, the t-statistic in parentheses (the
  layout of MacKinlay 1997, Table 2, and of most empirical papers);
* :func:`caar_table` — per group, the number of events, the CAAR of each
  window and one row per test with its statistic and stars.

Stars follow the usual convention: ``*`` p < 0.10, ``**`` p < 0.05,
``***`` p < 0.01 (two-sided p-values as reported by the tests).
"""

from __future__ import annotations

import functools
import html
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.report.testinfo import (
    REFERENCES,
    SHORT_BATTERY,
    TEST_INFO,
    full_test_name,
)

__all__ = [
    "STAR_LEVELS",
    "TABLE_CSS",
    "Table",
    "caar_table",
    "car_table",
    "references_of",
    "stars",
]

#: The small style every HTML table carries (scoped to ``table.es-table``), so
#: that ``car_table.html`` reads as a paper table opened on its own.
TABLE_CSS = (
    "table.es-table{border-collapse:collapse;margin:.8rem 0;font-size:.85rem;"
    "font-family:system-ui,sans-serif}"
    "table.es-table caption{text-align:left;font-weight:600;padding-bottom:.3rem}"
    "table.es-table th,table.es-table td{padding:.15rem .6rem}"
    "table.es-table thead th{border-top:2px solid #333;border-bottom:1px solid #333}"
    "table.es-table tbody tr:last-child td{border-bottom:2px solid #333}"
    "table.es-table tr.es-rule td{border-top:1px solid #999}"
    "table.es-table td.es-num{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}"
    "table.es-table tfoot td{font-size:.8rem;color:#555;border:none;"
    "padding-top:.4rem;max-width:60rem}"
)

#: Significance levels of the stars, from one star to three.
STAR_LEVELS: tuple[float, float, float] = (0.10, 0.05, 0.01)

_STAR_NOTE = "* p<0.10, ** p<0.05, *** p<0.01"


def stars(p_value: float | None) -> str:
    """Significance stars of a p-value (``""`` for None, NaN or p >= 0.10).

    Examples
    --------
    >>> stars(0.004), stars(0.03), stars(0.07), stars(0.5), stars(float("nan"))
    ('***', '**', '*', '', '')
    """
    if p_value is None or not np.isfinite(p_value):
        return ""
    return "*" * sum(p_value < lvl for lvl in STAR_LEVELS)


def _num(v: float, digits: int, percent: bool) -> str:
    if not np.isfinite(v):
        return "n/a"
    return f"{100 * v if percent else v:.{digits}f}"


def _fmt(v: np.ndarray, spec: str) -> np.ndarray:
    """``spec.format`` of each value, as an object array of str."""
    out = np.empty(len(v), dtype=object)
    out[:] = list(map(spec.format, np.asarray(v, dtype=float).tolist()))
    return out


def _nums(v: np.ndarray, digits: int, percent: bool) -> np.ndarray:
    """:func:`_num` of each value."""
    out = _fmt(100 * v if percent else v, f"{{:.{digits}f}}")
    out[~np.isfinite(v)] = "n/a"
    return out


def _stars(p: np.ndarray) -> np.ndarray:
    """:func:`stars` of each p-value."""
    count = sum((p < lvl).astype(np.int64) for lvl in STAR_LEVELS)
    count = np.where(np.isfinite(p), count, 0)
    return np.array(["", "*", "**", "***"], dtype=object)[count]


def _str_add(a: Any, b: Any) -> np.ndarray:
    """Element-wise concatenation of two sequences of str."""
    out: np.ndarray = np.asarray(a, dtype=object) + np.asarray(b, dtype=object)
    return out


def _intervals(
    lo: np.ndarray, hi: np.ndarray, digits: int, percent: bool
) -> np.ndarray:
    """:func:`_interval` of each pair of bounds."""
    text = _str_add(
        _str_add(_str_add("[", _nums(lo, digits, percent)), ", "),
        _str_add(_nums(hi, digits, percent), "]"),
    )
    return np.where(np.isfinite(lo) & np.isfinite(hi), text, "")


@dataclass(frozen=True)
class Table:
    """A formatted table: header, text cells and notes.

    Attributes
    ----------
    title : str
        Caption.
    header : list of str
        Column headings; the first ``n_label_columns`` are row labels.
    rows : list of list of str
        Cells as text.
    notes : str
        Footnote (units, stars, statistic in parentheses).
    n_label_columns : int
        Leading label columns (left-aligned; numbers are right-aligned).
    rules : list of int
        Row indices before which a horizontal rule is drawn (group breaks).
    """

    title: str
    header: list[str]
    rows: list[list[str]]
    notes: str = ""
    n_label_columns: int = 1
    rules: list[int] = field(default_factory=list)

    # ------------------------------------------------------------------ views
    def to_frame(self) -> pd.DataFrame:
        """Return the cells as a DataFrame of strings (columns = header)."""
        return pd.DataFrame(self.rows, columns=self.header)

    def __str__(self) -> str:
        return self.to_text()

    def to_text(self) -> str:
        """Fixed-width plain text (for the terminal)."""
        widths = [
            max(len(h), *(len(r[j]) for r in self.rows)) if self.rows else len(h)
            for j, h in enumerate(self.header)
        ]

        def line(cells: Sequence[str]) -> str:
            out = [
                c.ljust(w) if j < self.n_label_columns else c.rjust(w)
                for j, (c, w) in enumerate(zip(cells, widths, strict=True))
            ]
            return "  ".join(out).rstrip()

        sep = "-" * (sum(widths) + 2 * (len(widths) - 1))
        body = [self.title, sep, line(self.header), sep]
        rules = set(self.rules)  # a list made this quadratic in the rows
        for i, r in enumerate(self.rows):
            if i in rules and i:
                body.append(sep)
            body.append(line(r))
        body.append(sep)
        if self.notes:
            body.append(self.notes)
        return "\n".join(body)

    def to_markdown(self) -> str:
        """GitHub-flavoured Markdown pipe table with the title and notes."""

        def esc(s: str) -> str:
            return one_line(s).replace("|", "\\|")

        def esc_text(s: str) -> str:
            out = _MD_RE.sub(lambda m: "\\" + m.group(0), one_line(s))
            # a label must not become a link or an entity: brackets only when
            # they could make one (window headers such as [-1,+1] stay as
            # they are), '&' only before an entity name
            if "](" in out or "][" in out:
                out = out.replace("[", "\\[").replace("]", "\\]")
            return _MD_ENTITY_RE.sub("\\\\&", out)

        align = [
            ":---" if j < self.n_label_columns else "---:"
            for j in range(len(self.header))
        ]
        k = self.n_label_columns
        lines = [f"**{esc_text(self.title)}**", ""]
        lines.append("| " + " | ".join(esc_text(h) for h in self.header) + " |")
        lines.append("| " + " | ".join(align) + " |")
        cols = _per_column(
            self.rows,
            [_md_label_cells if j < k else esc for j in range(len(self.header))],
        )
        for j in range(min(k, len(cols))):
            cols[j] = _md_link_brackets(cols[j])
        lines.extend(map("| {} |".format, map(" | ".join, zip(*cols, strict=True))))
        if self.notes:
            lines += ["", esc_text(self.notes)]
        return "\n".join(lines) + "\n"

    # ------------------------------------------------------------ notebooks
    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_latex_(self) -> str:
        return self.to_latex()

    def to_html(self, *, style: bool = True) -> str:
        """Render an HTML ``<table>`` with caption and footnote.

        Parameters
        ----------
        style : bool
            Start with a small ``<style>`` element scoped to
            ``table.es-table`` (:data:`TABLE_CSS`), so the table is readable
            on its own (a notebook cell, a standalone file); no external CSS.
        """
        e = html.escape
        out = [f"<style>{TABLE_CSS}</style>"] if style else []
        out += ['<table class="es-table">', f"<caption>{e(self.title)}</caption>"]
        out.append(
            "<thead><tr>"
            + "".join(f'<th scope="col">{e(h)}</th>' for h in self.header)
            + "</tr></thead>"
        )
        out.append("<tbody>")
        cols = _per_column(self.rows, [e] * len(self.header))
        cols = [
            list(
                map(
                    (
                        f'<td class="{"es-label" if j < self.n_label_columns else "es-num"}">'
                        "{}</td>"
                    ).format,
                    c,
                )
            )
            for j, c in enumerate(cols)
        ]
        cls = [""] * len(self.rows)
        for i in set(self.rules):
            if 0 < i < len(cls):
                cls[i] = ' class="es-rule"'
        out.extend(
            map("<tr{}>{}</tr>".format, cls, map("".join, zip(*cols, strict=True)))
        )
        out.append("</tbody>")
        if self.notes:
            out.append(
                f'<tfoot><tr><td colspan="{len(self.header)}">{e(self.notes)}'
                "</td></tr></tfoot>"
            )
        out.append("</table>")
        return "\n".join(out) + "\n"

    def to_latex(self, label: str | None = None) -> str:
        r"""Render a LaTeX ``table`` with ``booktabs`` rules (``\usepackage{booktabs}``).

        Parameters
        ----------
        label : str, optional
            ``\label{...}`` for cross references.
        """
        spec = "l" * self.n_label_columns + "r" * (
            len(self.header) - self.n_label_columns
        )
        lines = [
            "\\begin{table}[htbp]",
            "\\centering",
            f"\\caption{{{latex_escape(self.title, stars=False)}}}",
        ]
        if label:
            lines.append(f"\\label{{{label}}}")
        lines += [
            f"\\begin{{tabular}}{{{spec}}}",
            "\\toprule",
            " & ".join(latex_escape(h, stars=False) for h in self.header) + " \\\\",
            "\\midrule",
        ]
        k = self.n_label_columns  # stars only in the number cells
        cols = _per_column(
            self.rows,
            [
                _latex_label_cells if j < k else _latex_cells
                for j in range(len(self.header))
            ],
            [
                functools.partial(latex_escape, stars=j >= k)
                for j in range(len(self.header))
            ],
        )
        rule = [""] * len(self.rows)
        for i in set(self.rules):
            if 0 < i < len(rule):
                rule[i] = "\\midrule\n"
        lines.extend(
            map("{}{} \\\\".format, rule, map(" & ".join, zip(*cols, strict=True)))
        )
        lines += ["\\bottomrule", "\\end{tabular}"]
        if self.notes:
            lines.append(
                "\\par\\smallskip{\\footnotesize "
                + latex_escape(self.notes, stars=False)
                + "}"
            )
        lines.append("\\end{table}")
        return "\n".join(lines) + "\n"

    def to_csv(self) -> str:
        """Render the displayed cells as CSV (header row, then the rows)."""
        buf = io.StringIO()
        self.to_frame().to_csv(buf, index=False, lineterminator="\n")
        return buf.getvalue()


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "†": r"\textsuperscript{\dag}",
}
_MD_RE = re.compile(r"[\\`*_<>|]")
_MD_ENTITY_RE = re.compile(r"&(?=#?\w+;)")
_LATEX_RE = re.compile("|".join(re.escape(k) for k in _LATEX_SPECIAL))


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def one_line(text: str) -> str:
    r"""Replace line breaks and other control characters by one space.

    A newline in a ticker or a title would end a Markdown table row or a
    LaTeX paragraph (inside a tabular, an error).

    Examples
    --------
    >>> one_line("Q3 results\nAfter the close")
    'Q3 results After the close'
    """
    return _CONTROL_RE.sub(" ", text)


#: Joins the cells of a column into one text for :func:`_per_column` (a
#: private-use character: no escape rule matches it or a control character).
_SEP = "\ue000"
_CELL_START_BRACKET_RE = re.compile("(?:^|(?<=\ue000))\\[")
_CELL_END_STARS_RE = re.compile(r"(?<=[\d)a])(\*{1,3})(?=\ue000|\Z)")


def _per_column(
    rows: Sequence[Sequence[str]],
    funcs: Sequence[Callable[[str], str]],
    single: Sequence[Callable[[str], str]] | None = None,
) -> list[list[str]]:
    """Apply ``funcs[j]`` to every cell of column ``j``, one call per column.

    Each function must act character by character (escapes) or at the
    start or end of a cell as :data:`_SEP` marks them: the cells of a column
    are joined with the separator, transformed once and split again, so a
    table of a million rows costs a few regular-expression passes rather
    than a Python call per cell. A column whose cells hold the separator
    itself is done cell by cell, with ``single[j]`` (default ``funcs[j]``).
    """
    if not rows:
        return [[] for _ in funcs]
    single = funcs if single is None else single
    out = []
    for col, f, g in zip(zip(*rows, strict=True), funcs, single, strict=True):
        joined = _SEP.join(col)
        if joined.count(_SEP) == len(col) - 1:
            out.append(f(joined).split(_SEP))
        else:
            out.append([g(c) for c in col])
    return out


def _latex_cells(text: str, *, stars: bool = True) -> str:
    """:func:`latex_escape` of each cell of ``text`` (cells joined by :data:`_SEP`)."""
    out = _LATEX_RE.sub(lambda m: _LATEX_SPECIAL[m.group(0)], one_line(text))
    # a cell after \\ must not read as \\[...]
    out = _CELL_START_BRACKET_RE.sub("{}[", out)
    if not stars:
        return out
    return _CELL_END_STARS_RE.sub(lambda m: f"$^{{{m.group(1)}}}$", out)


def _latex_label_cells(text: str) -> str:
    return _latex_cells(text, stars=False)


def _md_label_cells(text: str) -> str:
    """Markdown escapes of label cells, but the link-bracket rule (see below)."""
    out = _MD_RE.sub(lambda m: "\\" + m.group(0), one_line(text))
    return _MD_ENTITY_RE.sub("\\\\&", out)


def _md_link_brackets(cells: list[str]) -> list[str]:
    """Escape the brackets of the label cells that could make a link."""
    joined = _SEP.join(cells)
    if "](" not in joined and "][" not in joined:
        return cells
    return [
        c.replace("[", "\\[").replace("]", "\\]") if "](" in c or "][" in c else c
        for c in cells
    ]


def latex_escape(text: str, *, stars: bool = True) -> str:
    r"""Escape LaTeX special characters; trailing stars become ``$^{***}$``.

    Parameters
    ----------
    text : str
        A cell, header, caption or note.
    stars : bool
        Set trailing significance stars as a superscript (number cells);
        False leaves a label's own ``*`` as text.

    Examples
    --------
    >>> latex_escape("^HSI & 9988.HK")
    '\\textasciicircum{}HSI \\& 9988.HK'
    >>> latex_escape("1.23**")
    '1.23$^{**}$'
    """
    out = _LATEX_RE.sub(lambda m: _LATEX_SPECIAL[m.group(0)], one_line(text))
    if out.startswith("["):
        out = "{}" + out  # a cell after \\ must not read as \\[...]
    if not stars:
        return out
    return re.sub(r"(?<=[\d)a])(\*{1,3})$", lambda m: f"$^{{{m.group(1)}}}$", out)


def _window_length(window: str) -> int:
    a, b = window.strip("[]").split(",")
    return int(b) - int(a) + 1


def _window_names(windows: Sequence[str | tuple[int, int]] | str) -> list[str]:
    """Windows as the tables spell them (``"[-1,+1]"``), from either spelling."""
    from eventstudy.estimation.results import car_windows, format_window

    return [format_window(a, b) for a, b in car_windows(windows)]


def _window_order(windows: Sequence[str] | pd.Series) -> list[str]:
    return list(dict.fromkeys(str(w) for w in windows))


def _interval(lo: float, hi: float, digits: int, percent: bool) -> str:
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return ""
    return f"[{_num(lo, digits, percent)}, {_num(hi, digits, percent)}]"


def car_table(
    cars: pd.DataFrame,
    *,
    windows: Sequence[str | tuple[int, int]] | str | None = None,
    labels: Mapping[str, str] | None = None,
    dates: Mapping[str, str] | None = None,
    ci: bool = False,
    digits: int = 2,
    percent: bool = True,
    title: str = "Cumulative abnormal returns by event and window",
) -> Table:
    """CAR per event and window with stars, t-statistics (or CIs) beneath.

    Parameters
    ----------
    cars : DataFrame
        Long table as :meth:`EventStudyResults.cars` or ``car.csv``: columns
        ``event_id, window, car, t, p_value`` (``ticker`` used when present;
        ``ci_low, ci_high`` with ``ci=True``).
    windows : sequence of str or (int, int), optional
        Windows (``"[-1,+1]"`` or ``(-1, 1)``) and their order; default: all,
        in the order of the table.
    labels : mapping, optional
        Display label per ``event_id`` (e.g. the catalog's short title);
        default: the ``event`` column when present (the catalog id), else the
        event id. A key that is no event id of the table raises ValueError.
        A label equal to the row above it is left blank, so the listings of
        one catalog event read as one block.
    dates : mapping, optional
        Day 0 per ``event_id`` (text), shown in a ``Day 0`` column.
    ci : bool
        Show the confidence interval ``[ci_low, ci_high]`` beneath each CAR
        instead of its t-statistic.
    digits : int
        Decimals of the CAR.
    percent : bool
        Show CARs in percent.
    title : str
        Caption.

    Returns
    -------
    Table
        Columns: Event, Ticker, Day 0 (with ``dates``), one per window.

    Raises
    ------
    ValueError
        When a required column is missing, a requested window is absent or
        a label's key is no event id.
    """
    need = {"event_id", "window", "car", "t", "p_value"}
    if ci:
        need |= {"ci_low", "ci_high"}
    missing = need - set(cars.columns)
    if missing:
        raise ValueError(f"car_table: missing column(s) {sorted(missing)}")
    present = list(dict.fromkeys(cars["window"].astype(str)))
    wins = _window_names(windows) if windows is not None else _window_order(present)
    absent = [w for w in wins if w not in present]
    if absent:
        raise ValueError(
            f"car_table: window(s) {', '.join(absent)} not in the CAR table "
            f"(it has {', '.join(present) or 'none'})"
        )
    if labels is not None:
        known = set(cars["event_id"].astype(str))
        unmatched = [str(k) for k in labels if str(k) not in known]
        if unmatched:
            raise ValueError(
                f"car_table: labels for {', '.join(map(repr, unmatched))}, which "
                "are no event_id of the table (labels are keyed by event_id, "
                f"such as {next(iter(known), '?')!r})"
            )
    has_ticker = "ticker" in cars.columns
    has_event = "event" in cars.columns
    ndays = (
        cars["ndays"].to_numpy(float)
        if "ndays" in cars.columns
        else np.full(len(cars), np.nan)
    )
    n = len(cars)
    ids = cars["event_id"].astype(str).to_numpy(dtype=object)
    evs = cars["event"].astype(str).to_numpy(dtype=object) if has_event else ids
    tks = (
        cars["ticker"].astype(str).to_numpy(dtype=object)
        if has_ticker
        else np.full(n, "", dtype=object)
    )
    cols = ["car", "t", "p_value", *(["ci_low", "ci_high"] if ci else [])]
    nums = cars[cols].to_numpy(float)
    # events in the order they first appear; each (event, window) cell from
    # its first row; a cell is short when any of its rows is
    ev_code, ev_ids = pd.factorize(ids)
    w_code, w_names = pd.factorize(cars["window"].astype(str).to_numpy(dtype=object))
    n_ev, n_w = len(ev_ids), len(w_names)
    first_row = np.flatnonzero(~pd.Series(ev_code).duplicated().to_numpy())
    pair = ev_code.astype(np.int64) * max(n_w, 1) + w_code
    first_cell = ~pd.Series(pair).duplicated().to_numpy()
    vals = np.full((n_ev, n_w, len(cols)), np.nan)
    have = np.zeros((n_ev, n_w), dtype=bool)
    vals[ev_code[first_cell], w_code[first_cell]] = nums[first_cell]
    have[ev_code[first_cell], w_code[first_cell]] = True
    w_len = np.array([_window_length(str(w)) for w in w_names], dtype=float)
    is_short = np.isfinite(ndays) & (ndays < w_len[w_code])
    short = np.zeros((n_ev, n_w), dtype=bool)
    short[ev_code[is_short], w_code[is_short]] = True
    header = [
        "Event",
        *(["Ticker"] if has_ticker else []),
        *(["Day 0"] if dates is not None else []),
        *wins,
    ]
    n_lab = 1 + has_ticker + (dates is not None)
    default = evs[first_row]
    labs = np.empty(n_ev, dtype=object)
    labs[:] = (
        list(map(labels.get, ev_ids, default)) if labels is not None else list(default)
    )
    previous = np.empty(n_ev, dtype=object)
    previous[1:] = labs[:-1]
    same = np.asarray(labs == previous, dtype=bool)  # the label of the row above
    rules = (2 * np.flatnonzero(~same)).tolist()
    top_cols: list[Any] = [np.where(same, "", labs).tolist()]
    if has_ticker:
        top_cols.append(tks[first_row].tolist())
    if dates is not None:
        top_cols.append(list(map(dates.get, ev_ids, [""] * n_ev)))
    bottom_cols: list[Any] = [[""] * n_ev for _ in range(n_lab)]
    where = {str(w): k for k, w in enumerate(w_names)}
    for w in wins:  # a loop over the windows, not the events
        k = where[w]
        v = vals[:, k, :]
        top = _str_add(_nums(v[:, 0], digits, percent), _stars(v[:, 2]))
        if ci:
            below = _intervals(v[:, 3], v[:, 4], digits, percent)
        else:
            t = v[:, 1]
            below = np.where(np.isfinite(t), _fmt(t, "({:.2f})"), "")
        below = _str_add(below, np.where(short[:, k], "†", ""))
        top_cols.append(np.where(have[:, k], top, "").tolist())
        bottom_cols.append(np.where(have[:, k], below, "").tolist())
    rows: list[list[str]] = [[] for _ in range(2 * n_ev)]
    rows[0::2] = map(list, zip(*top_cols, strict=True))
    rows[1::2] = map(list, zip(*bottom_cols, strict=True))
    unit = "in percent" if percent else "as decimal returns"
    beneath = (
        "confidence intervals in brackets (CAR -/+ t(M-k) quantile x se)"
        if ci
        else "t-statistics in parentheses (CAR / se with the full covariance of "
        "the ARs, t(M-k))"
    )
    notes = f"CAR {unit}; {beneath}. {_STAR_NOTE}."
    if is_short.any():
        notes += (
            " † fewer valid return days than the window (edge of the data or "
            "missing returns): the CAR sums the valid days only."
        )
    return Table(title, header, rows, notes, n_label_columns=n_lab, rules=rules)


def _test_key(tests: Sequence[str], names: bool) -> str:
    """One sentence per test: full name, reference, distribution."""
    parts = []
    for t in tests:
        info = TEST_INFO.get(t)
        if info is None:
            continue
        head = f"{info.name} ({t})" if names else t
        parts.append(f"{head}: {info.reference}, {info.distribution}")
    return "; ".join(parts)


def caar_table(
    caar: pd.DataFrame,
    *,
    tests: Sequence[str] | None = None,
    windows: Sequence[str | tuple[int, int]] | str | None = None,
    groups: Sequence[str] | None = None,
    digits: int = 2,
    percent: bool = True,
    names: bool = True,
    ci_level: float = 0.95,
    title: str = "Cumulative average abnormal returns and test statistics",
) -> Table:
    """CAAR per group and window with one row per significance test.

    Each group block holds ``N`` (events), ``CAAR``, its confidence interval
    (from the cross-sectional t, when in the table) and one row per test:
    its statistic with stars and its two-sided p-value in parentheses
    (``n/a`` when it cannot apply; ``caar.csv`` says why). The notes give
    each test's reference and reference distribution.

    Parameters
    ----------
    caar : DataFrame
        Long table as :meth:`EventStudyResults.caar` or ``caar.csv``: columns
        ``group, window, test, n, caar, statistic, p_value``.
    tests : sequence of str, optional
        Which tests and in which order; default: the short battery
        (:data:`~eventstudy.report.testinfo.SHORT_BATTERY`) where the table
        has it, else every test of the table.
    windows, groups : sequence of str, optional
        Which ones and in which order; default: all in the order of the
        table (the overall group ``all`` first).
    digits : int
        Decimals of the CAAR.
    percent : bool
        Show CAARs in percent.
    names : bool
        Label tests by their full names (``Cross-sectional t``) instead of
        their codes (``csect_t``).
    ci_level : float
        Level of the ``ci_low, ci_high`` columns (for the row label).
    title : str
        Caption.

    Returns
    -------
    Table

    Raises
    ------
    ValueError
        When a required column is missing.
    """
    need = {"group", "window", "test", "n", "caar", "statistic", "p_value"}
    missing = need - set(caar.columns)
    if missing:
        raise ValueError(f"caar_table: missing column(s) {sorted(missing)}")
    df = caar.assign(
        group=caar["group"].astype(str),
        window=caar["window"].astype(str),
        test=caar["test"].astype(str),
    )
    for col in ("ci_low", "ci_high"):
        if col not in df.columns:
            df[col] = np.nan
    wins = (
        _window_names(windows) if windows is not None else _window_order(df["window"])
    )
    for kind, asked, have in (
        ("window", wins, set(df["window"])),
        ("test", tests, set(df["test"])),
        ("group", groups, set(df["group"])),
    ):
        absent = [str(x) for x in (asked or ()) if str(x) not in have]
        if absent:
            raise ValueError(
                f"caar_table: {kind}(s) {', '.join(absent)} not in the CAAR table "
                f"(it has {', '.join(sorted(have)) or 'none'})"
            )
    present = list(dict.fromkeys(df["test"]))
    if tests is not None:
        tst = list(tests)
    else:
        tst = [t for t in SHORT_BATTERY if t in present] or present
    grp = list(groups) if groups is not None else list(dict.fromkeys(df["group"]))
    if groups is None and "all" in grp:
        grp.remove("all")
        grp.insert(0, "all")
    cells: dict[tuple[str, str, str], tuple[float, ...]] = {}
    first: dict[tuple[str, str], tuple[float, float]] = {}
    nums = df[["n", "caar", "statistic", "p_value", "ci_low", "ci_high"]].to_numpy(
        float
    )
    for g, w, t, x in zip(df["group"], df["window"], df["test"], nums, strict=True):
        vals = tuple(float(v) for v in x)
        cells.setdefault((g, w, t), vals)
        first.setdefault((g, w), (vals[0], vals[1]))
    ci_test = "csect_t" if "csect_t" in present else None
    header = ["Group", "", *wins]
    rows: list[list[str]] = []
    rules: list[int] = []
    for g in grp:
        rules.append(len(rows))
        n_row = [g, "N"]
        caar_row = ["", "CAAR"]
        ci_row = ["", f"{100 * ci_level:g}% CI (cross-sectional t)"]
        for w in wins:
            if (g, w) not in first:
                n_row.append("")
                caar_row.append("")
                ci_row.append("")
                continue
            count, c = first[(g, w)]
            n_row.append(f"{int(count)}" if np.isfinite(count) else "")
            caar_row.append(_num(c, digits, percent))
            lo, hi = cells.get((g, w, ci_test or ""), (np.nan,) * 6)[4:6]
            ci_row.append(_interval(lo, hi, digits, percent))
        rows += [n_row, caar_row]
        if ci_test is not None:
            rows.append(ci_row)
        for t in tst:
            row = ["", full_test_name(t) if names else t]
            for w in wins:
                if (g, w, t) not in cells:
                    row.append("")
                    continue
                stat, pv = cells[(g, w, t)][2:4]
                row.append(
                    f"{stat:.2f}{stars(pv)} ({pv:.3f})" if np.isfinite(stat) else "n/a"
                )
            rows.append(row)
    unit = "in percent" if percent else "as decimal returns"
    key = _test_key(tst, names)
    notes = (
        f"CAAR {unit}; each test row gives its statistic with stars and "
        f"its two-sided p-value in parentheses. {_STAR_NOTE}."
        + (f" Tests: {key}." if key else "")
        + " caar.csv holds every test run, with reference distributions and "
        "the reason of any n/a."
    )
    return Table(title, header, rows, notes, n_label_columns=2, rules=rules)


def references_of(tests: Sequence[str]) -> list[str]:
    """Full references of the given tests, without repeats, in citation order."""
    seen = dict.fromkeys(TEST_INFO[t].reference for t in tests if t in TEST_INFO)
    return [REFERENCES[r] for r in seen if r in REFERENCES]
