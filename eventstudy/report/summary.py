"""The :class:`Summary` of a results object: text in a terminal, HTML in a notebook.

Like statsmodels' ``Summary``, one object renders the same content as plain
text (``str``, ``print``), HTML (``_repr_html_``, shown by Jupyter), LaTeX
and Markdown. It is a ``str`` (the text), so code that treats the summary as
text keeps working.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from eventstudy.report.tables import TABLE_CSS, Table, latex_escape

__all__ = ["Summary"]


class Summary(str):
    """A study summary: settings and tables in four formats.

    Parameters
    ----------
    text : str
        The plain-text rendering (the value of the string).
    settings : mapping of str to str
        Settings shown as a two-column block (model, windows, counts).
    tables : sequence of Table
        The result tables (CARs; skipped events).
    title : str
        Heading.
    """

    settings: dict[str, str]
    tables: list[Table]
    heading: str

    def __new__(
        cls,
        text: str,
        settings: Mapping[str, str],
        tables: Sequence[Table],
        title: str = "Event study results",
    ) -> Summary:
        """Build the summary (its string value is ``text``)."""
        obj = super().__new__(cls, text)
        obj.settings = {str(k): str(v) for k, v in settings.items()}
        obj.tables = list(tables)
        obj.heading = title
        return obj

    def __repr__(self) -> str:
        return str.__str__(self)

    def __str__(self) -> str:
        return str.__str__(self)

    def _settings_table(self) -> Table:
        return Table(
            self.heading,
            ["Setting", "Value"],
            [[k, v] for k, v in self.settings.items()],
            n_label_columns=2,
        )

    def _repr_html_(self) -> str:
        return self.as_html()

    def _repr_latex_(self) -> str:
        return self.as_latex()

    def _repr_markdown_(self) -> str:
        return self.as_markdown()

    def as_html(self) -> str:
        """Render the settings and tables as HTML (one small embedded style)."""
        e = html.escape
        rows = "".join(
            f"<tr><th scope='row' style='text-align:left'>{e(k)}</th>"
            f"<td>{e(v)}</td></tr>"
            for k, v in self.settings.items()
        )
        parts = [
            f"<style>{TABLE_CSS}</style>",
            '<div class="es-summary">',
            f'<table class="es-table"><caption>{e(self.heading)}</caption>'
            f"<tbody>{rows}</tbody></table>",
            *(t.to_html(style=False) for t in self.tables),
            "</div>",
        ]
        return "\n".join(parts)

    def as_latex(self) -> str:
        r"""Render the settings and tables as LaTeX ``table`` environments (booktabs)."""
        head = (
            "\\begin{tabular}{ll}\n\\toprule\n"
            + "".join(
                f"{latex_escape(k, stars=False)} & {latex_escape(v, stars=False)} \\\\\n"
                for k, v in self.settings.items()
            )
            + "\\bottomrule\n\\end{tabular}\n"
        )
        return "\n".join([head, *(t.to_latex() for t in self.tables)])

    def as_markdown(self) -> str:
        """Render the settings and tables as Markdown pipe tables."""
        return "\n".join(
            [
                self._settings_table().to_markdown(),
                *(t.to_markdown() for t in self.tables),
            ]
        )

    def as_text(self) -> str:
        """Return the plain text (``str(summary)``)."""
        return str.__str__(self)
