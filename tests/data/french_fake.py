"""Fakes of Kenneth French's daily factor files, in the library's exact format.

The library's daily CSVs (inside ``NAME_CSV.zip``) start with text lines, then
a header row that starts with a comma, then ``YYYYMMDD`` rows with values in
percent right-aligned after commas, a blank line and a copyright line; lines
end in CRLF. Momentum's header names ``Mom`` with trailing spaces, and some
files append an annual table after the daily one.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd

FF3_HEADER = (
    "This file was created by CMPT_ME_BEME_RETS_DAILY using the 202409 CRSP database.\r\n"
    "The 1-month TBill return is from Ibbotson and Associates Inc.\r\n"
    "\r\n"
)
MOM_HEADER = (
    "This file was created by CMPT_ME_PRIOR_RETS_DAILY using the 202409 CRSP database.\r\n"
    "It contains a momentum factor, constructed from six value-weight portfolios formed "
    "using independent sorts on size and prior return of NYSE, AMEX, and NASDAQ stocks.\r\n"
    "Missing data are indicated by -99.99 or -999.\r\n"
    "\r\n"
)
FOOTER = "\r\nCopyright 2024 Kenneth R. French\r\n"


def french_csv(
    frame: pd.DataFrame, header: str = FF3_HEADER, annual: bool = False
) -> str:
    """The text of a French daily file for ``frame`` (values in percent)."""
    names = [f"{c:<6}" if c == "Mom" else c for c in frame.columns]
    lines = ["," + ",".join(names)]
    for day, row in zip(frame.index, frame.to_numpy(), strict=True):
        lines.append(day.strftime("%Y%m%d") + "," + ",".join(f"{v:8.2f}" for v in row))
    text = header + "\r\n".join(lines) + "\r\n"
    if annual:
        text += "\r\n Annual Factors: January-December \r\n," + ",".join(names) + "\r\n"
        text += "  1927," + ",".join("    1.00" for _ in names) + "\r\n"
    return text + FOOTER


def french_zip(text: str, member: str) -> bytes:
    """``text`` zipped as the library ships it (one CSV member)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, text.encode("latin-1"))
    return buf.getvalue()


def ff3_percent(dates: pd.DatetimeIndex, seed: int = 0) -> pd.DataFrame:
    """Random FF3 factors in percent with two decimals (as the files print)."""
    rng = np.random.default_rng(seed)
    values = np.round(rng.normal(0.03, [1.0, 0.5, 0.5, 0.0], (len(dates), 4)), 2)
    values[:, 3] = 0.02
    return pd.DataFrame(values, index=dates, columns=["Mkt-RF", "SMB", "HML", "RF"])
