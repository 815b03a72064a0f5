from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from eventstudy.cli import main

CATALOG = Path(__file__).resolve().parents[2] / "events" / "alibaba_2025.yaml"


def test_validate_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", "validate", str(CATALOG)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{CATALOG}: OK: ")
    assert "4 listings" in out


def test_validate_errors_exit_1_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "listings:\n  BABA: {exchange: XNYS}\nevents:\n"
        "  - id: A\n    title: t\n    type: earnings\n"
        "    announced: 2025-02-20T17:30\n    listings: [BABA, NVDA]\n"
        "    sources: {seeds: [000_x.txt]}\n    confidence: high\n"
    )
    assert main(["events", "validate", str(bad)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(
        f"{bad}:7: A.announced: timestamp '2025-02-20T17:30' has no UTC offset"
    )
    assert (
        err[1]
        == f"{bad}:8: A.listings: unknown ticker 'NVDA' (declared listings: BABA)"
    )
    assert err[2] == f"eventstudy: error: {bad}: 2 problems"
    assert not any("Traceback" in line for line in err)


def test_validate_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["events", "validate", str(tmp_path / "nope.yaml")]) == 1
    assert (
        capsys.readouterr().err.strip()
        == f"eventstudy: error: {tmp_path / 'nope.yaml'}: no such file"
    )
    assert main(["events", "validate", str(tmp_path)]) == 1  # a folder
    assert (
        capsys.readouterr().err.strip()
        == f"eventstudy: error: {tmp_path}: a folder, not a catalog file"
    )


def test_extract_seeds_with_prices(
    shared_dir: Path, prices_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeds = shared_dir / "seeds"
    docs = [
        str(seeds / "000_5444e642be64ab11.txt"),
        str(seeds / "004_3aecb83cac5027fd.txt"),
    ]
    assert main(["events", "extract", *docs, "--prices", str(prices_dir)]) == 0
    out = yaml.safe_load(capsys.readouterr().out)
    assert [d["published"] for d in out] == ["2025-06-24", "2025-09-24"]
    first = out[1]["candidates"][0]  # the Apsara news (E1), merged across sentences
    assert (first["type"], first["announced"], first["role"]) == (
        "partnership",
        "2025-09-24",
        "event",
    )
    assert "conference" in first["evidence"]["also"]
    assert first["listings"] == ["BABA", "9988.HK", "NVDA"]
    assert all(c["role"] == "background" for c in out[1]["candidates"][1:])


def test_extract_to_file_and_errors(
    shared_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = str(shared_dir / "seeds" / "002_72648d7cc0c2f894.txt")
    out = tmp_path / "c.yaml"
    assert (
        main(["events", "extract", doc, "--published", "2025-06-13", "--out", str(out)])
        == 0
    )
    assert yaml.safe_load(out.read_text())[0]["published"] == "2025-06-13"
    assert main(["events", "extract", doc, "--prices", str(tmp_path / "none")]) == 1
    assert "no such folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["events", "extract", doc, "--published", "13/06/2025"])
    assert exc.value.code == 2
