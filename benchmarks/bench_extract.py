"""Score `eventstudy events extract` on the development set (benchmarks/extract_devset.yaml).

For each case (a short news item written in our own words after a real article), the
extractor runs with the case's publication date, once with the development listings file
(benchmarks/extract_listings.csv) and once with the offline default universe. Scores:

- ticker: the true listing is among the document's tickers;
- first listing: the first candidate's listings include the true one;
- first listing+date: ... and its `announced` date is the true date;
- type: the first candidate's type is the true type;
- timing: where the truth gives a timing, the first candidate's timing equals it;
- <=3 candidates: the document gives three candidates or fewer.

Also times 1,000 documents (the cases repeated) through the extractor.

    python benchmarks/bench_extract.py            # the table, and failures with --verbose
    python benchmarks/bench_extract.py --verbose
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path
from typing import Any

import yaml

from eventstudy.catalog.extract import (
    Universe,
    default_universe,
    extract_text,
    read_listings,
)

HERE = Path(__file__).resolve().parent
DEVSET = HERE / "extract_devset.yaml"
LISTINGS = HERE / "extract_listings.csv"


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def score_case(case: dict[str, Any], universe: Universe) -> dict[str, Any]:
    truth = case["truth"]
    result = extract_text(
        case["text"],
        case["id"] + ".txt",
        published=_date(case["published"]),
        universe=universe,
    )
    tickers = [t["ticker"] for t in result["tickers"]]
    first = result["candidates"][0] if result["candidates"] else None
    listing_ok = first is not None and truth["ticker"] in first["listings"]
    date_ok = (
        first is not None
        and first["announced"] is not None
        and str(first["announced"])[:10] == str(truth["date"])
    )
    out = {
        "id": case["id"],
        "ticker": truth["ticker"] in tickers,
        "first listing": listing_ok,
        "first listing+date": listing_ok and date_ok,
        "type": first is not None and first["type"] == truth["type"],
        "<=3 candidates": len(result["candidates"]) <= 3,
        "got": (
            f"{tickers[:3]} -> "
            + (
                f"{first['type']} {first['announced']} {first['timing']} {first['listings']}"
                if first
                else "no candidate"
            )
        ),
    }
    if truth.get("timing"):
        out["timing"] = first is not None and first["timing"] == truth["timing"]
    return out


COLUMNS = (
    "ticker",
    "first listing",
    "first listing+date",
    "type",
    "timing",
    "<=3 candidates",
)


def table(
    cases: list[dict[str, Any]], universes: dict[str, Universe]
) -> tuple[str, list[str]]:
    lines = [
        "| universe | cases | " + " | ".join(COLUMNS) + " |",
        "|---|---|" + "---|" * len(COLUMNS),
    ]
    failures = []
    for label, universe in universes.items():
        scores = [score_case(c, universe) for c in cases]
        cells = []
        for column in COLUMNS:
            rows = [s[column] for s in scores if column in s]
            cells.append(
                f"{sum(rows)}/{len(rows)} ({100 * sum(rows) / len(rows):.0f}%)"
            )
        lines.append(f"| {label} | {len(cases)} | " + " | ".join(cells) + " |")
        for s in scores:
            bad = [c for c in COLUMNS if c in s and not s[c]]
            if bad:
                failures.append(f"[{label}] {s['id']}: {', '.join(bad)}: {s['got']}")
    return "\n".join(lines), failures


def speed(cases: list[dict[str, Any]], universe: Universe, n: int = 1000) -> float:
    docs = [cases[i % len(cases)] for i in range(n)]
    start = time.perf_counter()
    for i, case in enumerate(docs):
        extract_text(
            case["text"],
            f"{i:04d}_{case['id']}.txt",
            published=_date(case["published"]),
            universe=universe,
        )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every failure")
    parser.add_argument("--n", type=int, default=1000, help="documents for the timing")
    args = parser.parse_args()
    cases = yaml.safe_load(DEVSET.read_text(encoding="utf-8"))["cases"]
    universes = {
        "listings file": read_listings(LISTINGS),
        "offline default": default_universe(),
    }
    text, failures = table(cases, universes)
    print(text)
    non_us = sum(c["truth"]["exchange"] not in ("XNYS", "XNAS") for c in cases)
    print(f"\n{len(cases)} cases, {non_us} listed outside the US")
    seconds = speed(cases, universes["offline default"], args.n)
    print(f"{args.n} documents in {seconds:.1f} s (offline default universe)")
    if args.verbose:
        print("\n".join(["", *failures]))


if __name__ == "__main__":
    main()
