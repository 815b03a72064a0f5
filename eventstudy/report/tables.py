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

import html
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["STAR_LEVELS", "Table", "caar_table", "car_table", "stars"]

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
        for i, r in enumerate(self.rows):
            if i in self.rules and i:
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
        lines.extend(
            "| "
            + " | ".join(esc_text(c) if j < k else esc(c) for j, c in enumerate(r))
            + " |"
            for r in self.rows
        )
        if self.notes:
            lines += ["", esc_text(self.notes)]
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        """Render an HTML ``<table>`` with caption and footnote (no external CSS)."""
        e = html.escape
        out = ['<table class="es-table">', f"<caption>{e(self.title)}</caption>"]
        out.append(
            "<thead><tr>"
            + "".join(f'<th scope="col">{e(h)}</th>' for h in self.header)
            + "</tr></thead>"
        )
        out.append("<tbody>")
        for i, r in enumerate(self.rows):
            cls = ' class="es-rule"' if i in self.rules and i else ""
            cells = "".join(
                f'<td class="{"es-label" if j < self.n_label_columns else "es-num"}">'
                f"{e(c)}</td>"
                for j, c in enumerate(r)
            )
            out.append(f"<tr{cls}>{cells}</tr>")
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
        for i, r in enumerate(self.rows):
            if i in self.rules and i:
                lines.append("\\midrule")
            k = self.n_label_columns  # stars only in the number cells
            cells = (latex_escape(c, stars=j >= k) for j, c in enumerate(r))
            lines.append(" & ".join(cells) + " \\\\")
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


def car_table(
    cars: pd.DataFrame,
    *,
    windows: Sequence[str | tuple[int, int]] | str | None = None,
    labels: Mapping[str, str] | None = None,
    digits: int = 2,
    percent: bool = True,
    title: str = "Cumulative abnormal returns by event and window",
) -> Table:
    """CAR per event and window with stars, t-statistics in parentheses beneath.

    Parameters
    ----------
    cars : DataFrame
        Long table as :meth:`EventStudyResults.cars` or ``car.csv``: columns
        ``event_id, window, car, t, p_value`` (``ticker`` used when present).
    windows : sequence of str or (int, int), optional
        Windows (``"[-1,+1]"`` or ``(-1, 1)``) and their order; default: all,
        in the order of the table.
    labels : mapping, optional
        Display label per ``event_id`` (e.g. the catalog title); default: the
        ``event`` column when present (the catalog id), else the event id.
        A key that is no event id of the table raises ValueError.
    digits : int
        Decimals of the CAR.
    percent : bool
        Show CARs in percent.
    title : str
        Caption.

    Returns
    -------
    Table
        Columns: Event, Ticker, one per window.

    Raises
    ------
    ValueError
        When a required column is missing, a requested window is absent or
        a label's key is no event id.
    """
    need = {"event_id", "window", "car", "t", "p_value"}
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
    short: set[tuple[str, str]] = set()
    info: dict[str, tuple[str, str]] = {}
    cell: dict[tuple[str, str], tuple[float, float, float]] = {}
    n = len(cars)
    ids = cars["event_id"].astype(str).tolist()
    evs = cars["event"].astype(str).tolist() if has_event else ids
    tks = cars["ticker"].astype(str).tolist() if has_ticker else [""] * n
    nums = cars[["car", "t", "p_value"]].to_numpy(float)
    for ev, w, lab, tk, (c, t, p), nd in zip(
        ids, cars["window"].astype(str), evs, tks, nums, ndays, strict=True
    ):
        info.setdefault(ev, (lab, tk))
        if np.isfinite(nd) and nd < _window_length(w):
            short.add((ev, w))
        cell.setdefault((ev, w), (float(c), float(t), float(p)))
    header = ["Event", *(["Ticker"] if has_ticker else []), *wins]
    n_lab = 2 if has_ticker else 1
    rows: list[list[str]] = []
    for ev, (default, ticker) in info.items():
        lab = labels.get(ev, default) if labels is not None else default
        top = [lab, *([ticker] if has_ticker else [])]
        bottom = ["", *([""] if has_ticker else [])]
        for w in wins:
            if (ev, w) not in cell:
                top.append("")
                bottom.append("")
                continue
            car, t, pv = cell[(ev, w)]
            top.append(_num(car, digits, percent) + stars(pv))
            mark = "†" if (ev, w) in short else ""
            bottom.append((f"({t:.2f})" if np.isfinite(t) else "") + mark)
        rows += [top, bottom]
    unit = "in percent" if percent else "as decimal returns"
    notes = (
        f"CAR {unit}; t-statistics in parentheses (CAR / se with the full "
        f"covariance of the ARs, t(M-k)). {_STAR_NOTE}."
    )
    if short:
        notes += (
            " † fewer valid return days than the window (edge of the data or "
            "missing returns): the CAR sums the valid days only."
        )
    return Table(title, header, rows, notes, n_label_columns=n_lab)


def caar_table(
    caar: pd.DataFrame,
    *,
    tests: Sequence[str] | None = None,
    windows: Sequence[str | tuple[int, int]] | str | None = None,
    groups: Sequence[str] | None = None,
    digits: int = 2,
    percent: bool = True,
    title: str = "Cumulative average abnormal returns and test statistics",
) -> Table:
    """CAAR per group and window with one row per significance test.

    Each group block holds ``N`` (events), ``CAAR`` and one row per test: its statistic with stars from its
    own p-value (``n/a`` with the reason in the notes when it cannot apply).

    Parameters
    ----------
    caar : DataFrame
        Long table as :meth:`EventStudyResults.caar` or ``caar.csv``: columns
        ``group, window, test, n, caar, statistic, p_value``.
    tests, windows, groups : sequence of str, optional
        Which ones and in which order; default: all in the order of the
        table (the overall group ``all`` first).
    digits : int
        Decimals of the CAAR.
    percent : bool
        Show CAARs in percent.
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
    tst = list(tests) if tests is not None else list(dict.fromkeys(df["test"]))
    grp = list(groups) if groups is not None else list(dict.fromkeys(df["group"]))
    if groups is None and "all" in grp:
        grp.remove("all")
        grp.insert(0, "all")
    cells: dict[tuple[str, str, str], tuple[float, float, float, float]] = {}
    first: dict[tuple[str, str], tuple[float, float]] = {}
    nums = df[["n", "caar", "statistic", "p_value"]].to_numpy(float)
    for g, w, t, x in zip(df["group"], df["window"], df["test"], nums, strict=True):
        vals = (float(x[0]), float(x[1]), float(x[2]), float(x[3]))
        cells.setdefault((g, w, t), vals)
        first.setdefault((g, w), (vals[0], vals[1]))
    header = ["Group", "", *wins]
    rows: list[list[str]] = []
    rules: list[int] = []
    for g in grp:
        rules.append(len(rows))
        n_row = [g, "N"]
        caar_row = ["", "CAAR"]
        for w in wins:
            if (g, w) not in first:
                n_row.append("")
                caar_row.append("")
                continue
            n, c = first[(g, w)]
            n_row.append(f"{int(n)}" if np.isfinite(n) else "")
            caar_row.append(_num(c, digits, percent))
        rows += [n_row, caar_row]
        for t in tst:
            row = ["", t]
            for w in wins:
                if (g, w, t) not in cells:
                    row.append("")
                    continue
                _, _, stat, pv = cells[(g, w, t)]
                row.append(f"{stat:.2f}{stars(pv)}" if np.isfinite(stat) else "n/a")
            rows.append(row)
    unit = "in percent" if percent else "as decimal returns"
    notes = (
        f"CAAR {unit}; each test row gives its statistic, stars from its "
        f"two-sided p-value (see caar.csv for p-values, reference "
        f"distributions and the reason of any n/a). {_STAR_NOTE}."
    )
    return Table(title, header, rows, notes, n_label_columns=2, rules=rules)
