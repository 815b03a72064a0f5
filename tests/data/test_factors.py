"""Factor data: the French library's file format, the local store, user files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.data import load_factors, read_factor_file
from eventstudy.data.factors import parse_french_csv
from eventstudy.exceptions import DataProviderError, StoreIntegrityError
from tests.data.french_fake import MOM_HEADER, ff3_percent, french_csv, french_zip

DATES = pd.bdate_range("2024-01-02", periods=30)
FF3 = "F-F_Research_Data_Factors_daily"
MOM = "F-F_Momentum_Factor_daily"


class FakeLibrary:
    """The French library's ftp folder: NAME_CSV.zip by URL, counting requests."""

    def __init__(self) -> None:
        self.ff3 = ff3_percent(DATES)
        mom = pd.DataFrame(
            {"Mom": np.round(np.linspace(-1, 1, 25), 2)}, index=DATES[3:28]
        )
        mom.iloc[4, 0] = -99.99  # the library's missing value
        self.mom = mom
        self.files = {
            f"{FF3}_CSV.zip": french_zip(
                french_csv(self.ff3, annual=True), f"{FF3}.CSV"
            ),
            f"{MOM}_CSV.zip": french_zip(french_csv(mom, MOM_HEADER), f"{MOM}.CSV"),
        }
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        return self.files[url.rsplit("/", 1)[1]]


def test_french_file_is_read_in_decimals_without_footer_or_annual_table() -> None:
    lib = FakeLibrary()
    text = french_csv(lib.ff3, annual=True)
    frame = parse_french_csv(text)
    assert list(frame.columns) == ["Mkt-RF", "SMB", "HML", "RF"]
    np.testing.assert_array_equal(frame.index.to_numpy(), DATES.to_numpy())
    np.testing.assert_array_equal(
        frame.to_numpy(), lib.ff3.to_numpy()
    )  # percent as written


def test_load_factors_fetches_once_then_reads_the_store(tmp_path: Path) -> None:
    lib = FakeLibrary()
    got = load_factors(FF3, cache_dir=tmp_path, fetch=lib)
    np.testing.assert_allclose(
        got.frame.to_numpy(), lib.ff3.to_numpy() / 100.0, rtol=1e-15
    )
    assert lib.urls == [
        f"https://mba.tuck.dartmouth.edu/pages/faculty/ken.french/ftp/{FF3}_CSV.zip"
    ]
    assert got.sources[FF3] == hashlib.sha256(lib.files[f"{FF3}_CSV.zip"]).hexdigest()
    stored = tmp_path / "factors" / "french" / f"{FF3}_CSV.zip"
    assert stored.read_bytes() == lib.files[f"{FF3}_CSV.zip"]
    again = load_factors(FF3, cache_dir=tmp_path, offline=True)  # no fetch at all
    pd.testing.assert_frame_equal(again.frame, got.frame)
    assert len(lib.urls) == 1


def test_carhart_joins_three_factors_and_momentum(tmp_path: Path) -> None:
    lib = FakeLibrary()
    got = load_factors([FF3, MOM], cache_dir=tmp_path, fetch=lib).frame
    assert list(got.columns) == [
        "Mkt-RF",
        "SMB",
        "HML",
        "RF",
        "Mom",
    ]  # "Mom   " stripped
    assert len(got) == 25  # common dates only
    assert np.isnan(got["Mom"].iloc[4])  # -99.99 is missing
    np.testing.assert_allclose(got["Mom"].iloc[0], lib.mom["Mom"].iloc[0] / 100.0)


def test_offline_without_the_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(
        DataProviderError, match=rf"{FF3}.*not in the local store.*offline"
    ):
        load_factors(FF3, cache_dir=tmp_path, offline=True)


def test_damaged_store_file_is_refetched_online_and_an_error_offline(
    tmp_path: Path,
) -> None:
    lib = FakeLibrary()
    load_factors(FF3, cache_dir=tmp_path, fetch=lib)
    stored = tmp_path / "factors" / "french" / f"{FF3}_CSV.zip"
    stored.write_bytes(stored.read_bytes()[:-5])
    with pytest.raises(StoreIntegrityError, match="does not match its manifest"):
        load_factors(FF3, cache_dir=tmp_path, offline=True)
    load_factors(FF3, cache_dir=tmp_path, fetch=lib)
    assert len(lib.urls) == 2
    assert stored.read_bytes() == lib.files[f"{FF3}_CSV.zip"]


def test_a_broken_download_is_not_stored(tmp_path: Path) -> None:
    def bad(url: str) -> bytes:
        return b"<html>maintenance</html>"

    with pytest.raises(DataProviderError, match="no header row"):
        load_factors(FF3, cache_dir=tmp_path, fetch=bad)
    assert not (tmp_path / "factors" / "french" / f"{FF3}_CSV.zip").exists()


def test_user_files_french_format_and_plain_csv(tmp_path: Path) -> None:
    lib = FakeLibrary()
    french = tmp_path / "ff3.csv"
    french.write_text(french_csv(lib.ff3), encoding="latin-1", newline="")
    got = read_factor_file(french, units="percent")
    np.testing.assert_allclose(got.to_numpy(), lib.ff3.to_numpy() / 100.0, rtol=1e-15)
    plain = tmp_path / "local.csv"
    plain.write_text("date,MKT,SMB\n2024-01-02,0.01,-0.002\n2024-01-03,0.003,0.001\n")
    got = read_factor_file(plain)
    assert list(got.columns) == ["MKT", "SMB"]
    assert got.loc["2024-01-03", "MKT"] == 0.003
    plain.write_text("date,MKT\n2024-01-02,0.01\n2024-01-03,n/a%\n")
    with pytest.raises(
        DataProviderError, match=r"local.csv:3: column 'MKT' is not a number"
    ):
        read_factor_file(plain)


def test_french_row_with_a_missing_value_names_the_line() -> None:
    text = ",Mkt-RF,SMB\r\n20240102,    0.10\r\n"
    with pytest.raises(DataProviderError, match=r"f.csv:2: 1 values for 2 columns"):
        parse_french_csv(text, "f.csv")
