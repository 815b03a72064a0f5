"""`eventstudy study validate` and hostile study files (issue 15, items 5 and 9)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.catalog.yaml_lines import YamlSyntaxError, load_yaml
from eventstudy.cli import main
from eventstudy.study_file import _KEYS as STUDY_KEYS

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "events" / "alibaba_2025.yaml"
STUDY = ROOT / "events" / "studies" / "alibaba_ai_2025.yaml"

GOOD = (
    "name: s\n"
    "catalog: cat.yaml\n"
    "listings:\n"
    "  BABA: {exchange: XNYS, benchmark: SPY}\n"
    "  9988.HK: {exchange: XHKG, benchmark: ^HSI}\n"
    "prices: {source: yahoo, start: 2024-01-01, end: 2025-12-31}\n"
)


def study(tmp_path: Path, text: str = GOOD) -> Path:
    shutil.copy(CATALOG, tmp_path / "cat.yaml")
    path = tmp_path / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_a_valid_study_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = study(tmp_path)
    code, out, err = run_cli(["study", "validate", str(path)], capsys)
    assert (code, err) == (0, "")
    assert out == f"{path}: OK: the study\n"


def test_every_problem_at_once_in_line_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = study(
        tmp_path,
        "colour: red\n"
        "name: s\n"
        "catalog: cat.yaml\n"
        "listings:\n"
        "  BABA: {exchange: XNYS, benchmark: SPY}\n"
        "prices: {source: yahoo, start: now, end: 2025-12-31}\n"
        "returns: true\n"
        "min_estimation_obs: 1\n"
        "car_windows: [[0, 30]]\n",
    )
    code, out, err = run_cli(["study", "validate", str(path)], capsys)
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert lines == [
        f"{path}:1: colour: unknown field (allowed: {', '.join(STUDY_KEYS)})",
        f"{path}:6: prices.start: must be a date YYYY-MM-DD, got 'now'",
        f"{path}:6: prices: source yahoo needs start and end dates",
        f"{path}:7: returns: true is not one of simple, log",  # YAML, not True
        f"{path}:8: min_estimation_obs: must be an integer of at least 2 (a variance "
        "needs two returns), got 1",
        f"{path}:9: car_windows[0]: [0, 30] is outside the event window [-10, 10]",
        f"eventstudy: error: {path}: 6 problems",
    ]


def test_catalog_problems_follow_the_study_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = study(tmp_path)
    cat = tmp_path / "cat.yaml"
    text = cat.read_text(encoding="utf-8")
    cat.write_text(
        text.replace("confidence: high", "confidence: sure", 2), encoding="utf-8"
    )
    code, _, err = run_cli(["study", "validate", str(path)], capsys)
    assert code == 1
    lines = err.splitlines()[:-1]
    assert len(lines) == 2
    assert all(ln.startswith(f"{cat}:") for ln in lines)
    nums = [int(ln.split(":")[1]) for ln in lines]
    assert nums == sorted(nums)
    assert all("confidence" in ln and "'sure'" in ln for ln in lines)


@pytest.mark.shared
def test_prices_that_do_not_cover_the_windows(
    tmp_path: Path, prices_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = study(tmp_path)
    code, out, err = run_cli(
        ["study", "validate", str(path), "--prices", str(prices_dir)], capsys
    )
    assert (code, err) == (0, "")
    assert "OK: the study and its prices" in out
    # BABA's prices cut in mid-2025: the later events' windows are not covered
    short = tmp_path / "prices"
    short.mkdir()
    for t in ("9988.HK", "SPY", "^HSI"):
        shutil.copy(prices_dir / f"{t}.csv", short / f"{t}.csv")
    baba = pd.read_csv(prices_dir / "BABA.csv")
    baba[baba["date"] <= "2025-06-30"].to_csv(short / "BABA.csv", index=False)
    code, out, err = run_cli(
        ["study", "validate", str(path), "--prices", str(short)], capsys
    )
    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith(f"{path}:4: listings.BABA: the returns run from ")
    assert (
        "to 2025-06-30, short of the estimation window [-250, -11] and event "
        in lines[0]
    )
    assert "E1 needs" in lines[0] or "needs" in lines[0]
    assert lines[-1] == f"eventstudy: error: {path}: {len(lines) - 1} problem" + (
        "s" if len(lines) > 2 else ""
    )
    # a missing price file is named with its listing
    (short / "SPY.csv").unlink()
    code, _, err = run_cli(
        ["study", "validate", str(path), "--prices", str(short)], capsys
    )
    assert code == 1
    assert err.splitlines()[0].startswith(f"{path}:4: listings.BABA: prices of 'SPY': ")


def test_events_validate_names_the_study_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli(["events", "validate", str(STUDY)], capsys)
    assert (code, out) == (1, "")
    assert err == (
        f"eventstudy: error: {STUDY}: this is a study file, not an events catalog: "
        f"check it with 'eventstudy study validate {STUDY}' (docs/study.md)\n"
    )
    code, _, err = run_cli(["study", "validate", str(CATALOG)], capsys)
    assert code == 1
    assert f"check it with 'eventstudy events validate {CATALOG}'" in err


def test_help_points_to_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    for cmd in (["run", "--help"], ["study", "validate", "--help"]):
        with pytest.raises(SystemExit):
            main(cmd)
        assert "docs/study.md" in capsys.readouterr().out.replace("\n", " ")


# ------------------------------------------------------- hostile study files

BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n"
    for i in range(8)
)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (BOMB, 7, "expands to more than 2,000,000 values"),
        ("name: " + "[" * 5000 + "]" * 5000 + "\n", 1, "nested more than 40 levels"),
        ("name: s\n\x00\n", 2, "NUL byte: a binary file"),
    ],
)
def test_yaml_bombs_and_binary_files_are_refused(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    line: int,
    message: str,
) -> None:
    path = study(tmp_path, text)
    code, out, err = run_cli(["run", str(path), "--out", str(tmp_path / "o")], capsys)
    assert (code, out) == (1, "")
    assert err.startswith(f"eventstudy: error: {path}:{line}: (file): ")
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()
    # the catalog loader refuses the same (one helper for every YAML file)
    if "\x00" not in text:
        with pytest.raises(YamlSyntaxError, match=message.split(" ")[0]):
            load_yaml(text)


def test_non_utf8_and_folders_are_errors_not_tracebacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = study(tmp_path)
    path.write_bytes(GOOD.replace("name: s", "name: caf\xe9").encode("latin-1"))
    code, _, err = run_cli(["run", str(path)], capsys)
    assert code == 1
    assert f"{path}:1: (file): not a UTF-8 text file (byte 9" in err
    code, _, err = run_cli(["run", str(tmp_path)], capsys)
    assert (code, err) == (
        1,
        f"eventstudy: error: {tmp_path}: a folder, not a study file\n",
    )


@pytest.mark.parametrize("where", ["file", "under"])
def test_out_that_is_a_file_stops_before_the_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    path = study(tmp_path)
    blocker = tmp_path / "taken"
    blocker.write_text("keep me", encoding="utf-8")
    out = blocker if where == "file" else blocker / "sub"
    code, stdout, err = run_cli(["run", str(path), "--out", str(out)], capsys)
    assert (code, stdout) == (1, "")
    expect = "is a file" if where == "file" else f"lies under the file {blocker}"
    assert err == f"eventstudy: error: --out {out}: {expect}; give a folder\n"
    assert blocker.read_text(encoding="utf-8") == "keep me"
    code, _, err = run_cli(["demo", "--out", str(out)], capsys)
    assert code == 1
    assert expect in err


@pytest.mark.parametrize(
    "args", [["demo", "--seed", "-1"], ["fetch", "s.yaml", "--retries", "-2"]]
)
def test_negative_counts_are_usage_errors(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert "must be 0 or more" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("ticker", "why"),
    [
        ("..", "starts with '.'"),
        ("a\\\\b", "contains '\\\\\\\\', which cannot be part of a file name"),
        ("../../x", "contains '/'"),
        ("X" * 200, "is 200 characters long (at most 40)"),
        ("株" * 60, "is 60 characters long"),
    ],
)
def test_tickers_that_cannot_be_file_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ticker: str, why: str
) -> None:
    text = GOOD.replace("  9988.HK:", f'  "{ticker}":')
    path = study(tmp_path, text)
    code, _, err = run_cli(["study", "validate", str(path)], capsys)
    assert code == 1
    assert f"{path}:5: listings." in err
    assert why.replace("\\\\", "\\") in err


@pytest.mark.parametrize("year", ["0000", "1000", "1500", "2300"])
def test_dates_outside_the_supported_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], year: str
) -> None:
    path = study(tmp_path, GOOD.replace("start: 2024-01-01", f"start: {year}-01-01"))
    code, _, err = run_cli(["study", "validate", str(path)], capsys)
    assert code == 1
    assert f"{path}:6: prices.start: " in err
    assert "Traceback" not in err
