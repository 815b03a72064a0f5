"""The output folder's CSV writer against pandas' ``to_csv`` (issue 21)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy import _csv_text
from eventstudy._csv_text import csv_text, write_csv


def _pandas(frame: pd.DataFrame) -> str:
    text: str = frame.to_csv(index=False, lineterminator="\n", float_format="%.17g")
    return text


def _hostile(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    text = ["x", "a,b", 'q"r', "l\nm", "r\rs", " ", "", "é", "\t", "[-1,+1]"]
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=n) * 10.0 ** rng.integers(-300, 300, n),
            "b": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
            "c": rng.integers(-(2**62), 2**62, n),
            "d": rng.random(n) < 0.5,
            "e": pd.Series(rng.choice(text, n), dtype="str"),
            "f": pd.Series(rng.choice(["x", "y", None], n), dtype=object),
            "g": pd.Categorical(rng.choice(["A", "B,C"], n)),
            "h": pd.Series(
                rng.choice([1, 2.5, "z", None, np.nan, True], n), dtype=object
            ),
            "i": np.r_[
                [np.inf, -np.inf, 0.0, -0.0, 1e300, 5e-324], rng.normal(size=n - 6)
            ],
            "j": pd.Series(rng.choice(text, n), dtype=object),
        }
    )
    frame.columns = ["a", "b,x", "c", 'd"q', "e", "f", "g", "h", "i", "j"]
    return frame


@pytest.mark.parametrize(
    "pick",
    [
        lambda f: f,
        lambda f: f.iloc[:0],
        lambda f: f.iloc[:, [0, 2]],
        lambda f: f.iloc[:, [4, 5]],
        lambda f: f.iloc[:, [0]],  # one column: pandas' own writer
        lambda f: f.astype({"c": "Int64"}),  # an extension dtype: pandas
        lambda f: f.assign(**{"b,x": f["b,x"].astype("float32")}),
    ],
)
def test_csv_text_is_pandas_to_csv_byte_for_byte(pick) -> None:  # type: ignore[no-untyped-def]
    frame = pick(_hostile())
    assert csv_text(frame) == _pandas(frame)


def test_csv_text_without_header_continues_the_text() -> None:
    frame = _hostile(50)
    assert csv_text(frame.iloc[:20]) + csv_text(
        frame.iloc[20:], header=False
    ) == _pandas(frame)


def test_write_csv_streams_the_same_bytes_and_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = _hostile(1000, seed=1)
    monkeypatch.setattr(_csv_text, "CHUNK_ROWS", 7)  # many chunks
    path = tmp_path / "sub" / "t.csv"
    digest = write_csv(path, frame)
    data = path.read_bytes()
    assert data == _pandas(frame).encode("utf-8")
    assert digest == hashlib.sha256(data).hexdigest()
    assert [p.name for p in path.parent.iterdir()] == ["t.csv"]  # no temp left


def test_write_csv_of_no_rows_writes_the_header(tmp_path: Path) -> None:
    frame = _hostile(10).iloc[:0]
    write_csv(tmp_path / "e.csv", frame)
    assert (tmp_path / "e.csv").read_text(encoding="utf-8") == _pandas(frame)


def test_write_csv_failure_leaves_no_file(tmp_path: Path) -> None:
    frame = _hostile(30)

    def boom(part: pd.DataFrame) -> pd.DataFrame:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_csv(tmp_path / "x.csv", frame, boom)
    assert list(tmp_path.iterdir()) == []
