r"""CSV text of an output table, column by column (the output folder's writer).

:func:`csv_text` returns exactly what ``frame.to_csv(index=False,
lineterminator="\\n", float_format="%.17g")`` returns, byte for byte, several
times faster: pandas formats each float through three Python calls (its
formatter, ``notna``, ``isna``), which made writing ``abnormal_returns.csv``
the slowest part of a large run. Here each column becomes its list of fields
at once (``"%.17g"`` mapped over the floats, ``str`` over the integers, the
text as it is), fields that need quoting are quoted by the :mod:`csv` module
itself, and the rows are joined in C. Tables it does not know how to write
exactly (one column, extension dtypes other than text and categories) go to
pandas.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from collections.abc import Callable
from typing import Any, cast

import numpy as np
import pandas as pd

from eventstudy._atomic import atomic_open

__all__ = ["csv_text", "write_csv"]

#: Rows formatted at a time by :func:`write_csv` (bounds its memory).
CHUNK_ROWS = 200_000

#: Characters that make the csv module quote a field (``QUOTE_MINIMAL``,
#: delimiter ``,``, quote ``"``, line terminator ``\n``).
_SPECIAL_RE = re.compile('[,"\n]')


def write_csv(
    path: str | os.PathLike[str],
    frame: pd.DataFrame,
    prepare: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> str:
    """Write :func:`csv_text` of ``frame`` to ``path`` atomically; return its SHA-256.

    The rows are formatted, written and hashed :data:`CHUNK_ROWS` at a time,
    so a table of millions of rows (``abnormal_returns.csv`` of a large
    study) never exists as one string; the file and the hash are those of
    the whole text.

    Parameters
    ----------
    path : path-like
        Target file.
    frame : DataFrame
        The table.
    prepare : callable, optional
        Applied to each chunk of rows before formatting (such as dates to
        text).

    Returns
    -------
    str
        Hex SHA-256 of the file's bytes.
    """
    digest = hashlib.sha256()
    with atomic_open(path) as fh:
        for start in range(0, max(len(frame), 1), CHUNK_ROWS):
            part = frame.iloc[start : start + CHUNK_ROWS]
            if prepare is not None:
                part = prepare(part)
            data = csv_text(part, header=start == 0).encode("utf-8")
            digest.update(data)
            fh.write(data)
    return digest.hexdigest()


def csv_text(frame: pd.DataFrame, header: bool = True) -> str:
    r"""``frame.to_csv(index=False, lineterminator="\\n", float_format="%.17g")``.

    Parameters
    ----------
    frame : DataFrame
        The table (datetime columns already formatted as text).

    Returns
    -------
    str
        The CSV text, header first, one ``\\n``-terminated line per row.
    """
    columns = [_fields(frame.iloc[:, j]) for j in range(frame.shape[1])]
    if frame.shape[1] < 2 or any(c is None for c in columns):
        return _pandas(frame, header)
    names = _quote([str(c) for c in frame.columns])
    # numbers never need quotes; text columns may
    body = [
        c if _numeric(frame.dtypes.iloc[j]) else _quote(c)
        for j, c in enumerate(columns)
        if c is not None
    ]
    lines = list(map(",".join, zip(*body, strict=True)))
    if header:
        lines.insert(0, ",".join(names))
    return "\n".join(lines) + "\n" if lines else ""


def _numeric(dtype: Any) -> bool:
    return isinstance(dtype, np.dtype) and dtype.kind in "iubf"


def _pandas(frame: pd.DataFrame, header: bool = True) -> str:
    text: str = frame.to_csv(
        index=False, header=header, lineterminator="\n", float_format="%.17g"
    )
    return text


def _fields(col: pd.Series) -> list[str] | None:
    """Return the column's CSV fields before quoting (None: let pandas write it)."""
    dtype = col.dtype
    if isinstance(dtype, np.dtype):
        if dtype == np.float64:
            v = col.to_numpy()
            out = list(map("%.17g".__mod__, v.tolist()))
            nan = np.isnan(v)
            if nan.any():  # missing values are empty fields
                arr = np.array(out, dtype=object)
                arr[nan] = ""
                out = arr.tolist()
            return out
        if dtype.kind in "iub":
            return list(map(str, col.to_numpy().tolist()))
        if dtype.kind != "O":
            return None
    elif not isinstance(dtype, pd.StringDtype | pd.CategoricalDtype):
        return None
    values = col.to_numpy(dtype=object)
    missing = np.asarray(col.isna(), dtype=bool)
    if isinstance(dtype, pd.CategoricalDtype) and dtype.categories.dtype.kind == "f":
        return None  # pandas formats float categories with the float format
    if missing.any():
        values = values.copy()
        values[missing] = ""
    if pd.api.types.infer_dtype(values, skipna=False) in ("string", "empty"):
        return cast(list[str], values.tolist())
    # the csv module writes str() of anything but a float, whose repr() is
    # the same text in Python 3
    return [v if type(v) is str else _text(v) for v in values.tolist()]


def _text(v: Any) -> str:
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _quote(fields: list[str]) -> list[str]:
    """Quote the fields the csv module would quote (same module, same rules)."""
    bad = [f for f in set(fields) if _SPECIAL_RE.search(f)]
    if not bad:
        return fields
    quoted = {f: _csv_quote(f) for f in bad}
    return list(map(quoted.get, fields, fields))


def _csv_quote(field: str) -> str:
    """Return the field as the csv module writes it (quoted, quotes doubled)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([field, ""])
    return buf.getvalue()[:-2]  # drop the empty field's ",\n"
