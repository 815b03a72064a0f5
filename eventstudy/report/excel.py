"""One Excel workbook with a sheet per output table (``res.to_excel``, ``run --excel``).

Written with openpyxl, an optional dependency (``pip install
eventstudy[excel]``). Each sheet holds the same rows and columns as the CSV of
the same name; numbers keep full precision and get a display format (p-values
and statistics to 4 decimals, returns to 6, counts as integers, dates as
``yyyy-mm-dd``). The workbook is built in memory and written atomically.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy._atomic import atomic_write_bytes
from eventstudy.exceptions import MissingDependencyError

__all__ = ["SHEETS", "require_openpyxl", "write_workbook"]

#: Sheet order of a study workbook (those present are written, in this order).
SHEETS: tuple[str, ...] = (
    "car",
    "caar",
    "abnormal_returns",
    "estimation",
    "skipped",
    "confounding",
    "overlap",
    "events",
)

_FOUR = {"t", "statistic", "p_value", "p_holm", "p_bh", "r_squared", "overlap_share"}


def _number_format(column: str, series: pd.Series) -> str | None:
    if pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_datetime64_any_dtype(series):
        return "yyyy-mm-dd"
    if pd.api.types.is_integer_dtype(series):
        return "0"
    if pd.api.types.is_float_dtype(series):
        if column in _FOUR or column.startswith("p_"):
            return "0.0000"
        if column in {"df", "n", "nobs", "ndays", "raw"}:
            return "0.####"
        return "0.000000"
    return None


def _excel_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells Excel can hold: naive datetimes, plain text for categoricals/objects."""
    out = frame.copy()
    for c in out.columns:
        s = out[c]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[c] = s.dt.tz_localize(None)
        elif isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object:
            out[c] = (
                s.astype(object)
                .where(s.notna(), None)
                .map(
                    lambda v: (
                        v if v is None or isinstance(v, bool | int | float) else str(v)
                    )
                )
            )
    return out


def require_openpyxl() -> None:
    """Raise :class:`MissingDependencyError` unless openpyxl can be imported.

    Raises
    ------
    MissingDependencyError
        With the command that installs it.
    """
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise MissingDependencyError(
            "writing Excel needs openpyxl, which is not installed: "
            "pip install 'eventstudy[excel]'"
        ) from None


def write_workbook(
    path: str | os.PathLike[str], sheets: Mapping[str, pd.DataFrame]
) -> Path:
    """Write one sheet per table into an ``.xlsx`` workbook, atomically.

    Parameters
    ----------
    path : path-like
        Target file (parent folders are created).
    sheets : mapping of str to DataFrame
        Sheet name -> table; written in :data:`SHEETS` order, then any other.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    MissingDependencyError
        When openpyxl is not installed.
    """
    require_openpyxl()
    from openpyxl.utils import get_column_letter

    order = [s for s in SHEETS if s in sheets] + [s for s in sheets if s not in SHEETS]
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name in order:
            frame = _excel_ready(sheets[name])
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            ws = writer.sheets[name[:31]]
            ws.freeze_panes = "A2"
            for j, col in enumerate(frame.columns, start=1):
                letter = get_column_letter(j)
                fmt = _number_format(str(col), frame[col])
                if fmt is not None:
                    for (cell,) in ws.iter_rows(
                        min_row=2, max_row=len(frame) + 1, min_col=j, max_col=j
                    ):
                        cell.number_format = fmt
                width = max(
                    [len(str(col))]
                    + [len(str(v)) for v in frame[col].head(200).tolist()]
                )
                ws.column_dimensions[letter].width = float(np.clip(width + 2, 8, 60))
    return atomic_write_bytes(path, buf.getvalue())
